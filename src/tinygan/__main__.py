"""``python -m tinygan``: the same as the ``tinygan`` command."""

from tinygan.cli import console

if __name__ == "__main__":
    console()
