import tinygan as tg


def test_public_names_exist():
    for name in tg.__all__:
        assert hasattr(tg, name)
