"""One sample set: every judge says how many fixed inputs it judges, and files record it."""

from __future__ import annotations

import json

import pytest
import torch
from tests import sweep_recipes as recipes
from torch import nn

import tinygan as tg
from tinygan.metrics import mixture_judge, mode_coverage, pattern_judge
from tinygan.recipes import ring8
from tinygan.sweeps import EVAL_INPUTS, EVAL_SEED
from tinygan.sweeps.folder import SweepFolder, SweepFolderError
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output
from tinygan.sweeps.run import evaluate_generator


def test_a_judge_declares_its_count_and_others_get_the_sweeps_default():
    assert EVAL_INPUTS == 1000  # the post's sweep judges 1,000 inputs, as it always has
    assert eval_count(pattern_judge) == 1000
    assert eval_count(mixture_judge) == 2500  # PacGAN's 2,500 samples

    def judge(samples, real):
        return {"success": True}

    judge.eval_inputs = 7
    assert eval_count(judge) == 7
    for bad in (0, -3, 2.5, True, "10"):
        judge.eval_inputs = bad
        with pytest.raises(ValueError, match="eval_inputs must be a positive integer"):
            eval_count(judge)


def test_the_inputs_are_fixed_by_the_seed_and_count():
    noise = tg.GaussianNoise(2)
    z = eval_inputs(noise, count=2500)
    expected = noise.sample(2500, generator=torch.Generator().manual_seed(EVAL_SEED))
    assert z.shape == (2500, 2) and torch.equal(z, expected)
    assert torch.equal(eval_inputs(noise), noise.sample(1000, generator=_seeded()))


def _seeded() -> torch.Generator:
    return torch.Generator().manual_seed(EVAL_SEED)


def test_a_module_is_judged_in_inference_mode_and_left_as_it_was():
    G = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    z = torch.randn(5, 2, generator=torch.Generator().manual_seed(0))
    before = G[1].running_mean.clone()
    out = judged_output(G, z)
    assert G.training and torch.equal(G[1].running_mean, before)  # nothing learnt
    G.eval()
    assert torch.equal(out, G(z).detach()) and not out.requires_grad
    assert not judged_output(G, z).requires_grad and not G.training


def test_a_mixture_generator_is_judged_on_2500_fixed_samples():
    trainer = ring8(0).fit(5)
    row = evaluate_generator(trainer.generator, trainer.real, trainer.noise, seed=0)
    with torch.no_grad():
        samples = trainer.generator(eval_inputs(trainer.noise, count=2500))
    cover = mode_coverage(samples, trainer.real)
    assert row.eval_inputs == 2500
    assert row.values["high_quality"] == cover.high_quality
    assert row.values["modes"] == cover.modes


def test_sweep_files_record_the_count_their_judge_used(tmp_path):
    mixtures = tg.sweep([0, 1], ring8, steps=3, out=tmp_path / "ring")
    assert mixtures.eval_inputs == 2500
    for name in ("sweep.json", "summary.json"):
        assert json.loads((tmp_path / "ring" / name).read_text())["eval_inputs"] == 2500
    post = tg.sweep([0], recipes.post, steps=3, out=tmp_path / "post")
    assert post.eval_inputs == 1000
    summary = json.loads((tmp_path / "post" / "summary.json").read_text())
    assert summary["eval_inputs"] == 1000 and summary["d_loss_window"] == 3
    # Resuming learns the count from the folder; a finished sweep trains nothing.
    again = tg.sweep([0, 1], ring8, steps=3, out=tmp_path / "ring", resume=True)
    assert again.eval_inputs == 2500 and again.rows == mixtures.rows


def test_rows_judged_on_another_count_are_refused(tmp_path):
    spec = {"seeds": [0, 1], "backend": "auto"}
    folder = SweepFolder(tmp_path, spec, resume=False, eval_inputs=None)
    row = tg.SeedResult(0, {"success": True}, 0.5, eval_inputs=2500)
    folder.add([row])
    assert json.loads((tmp_path / "sweep.json").read_text())["eval_inputs"] == 2500
    with pytest.raises(SweepFolderError, match="judged on 2500 evaluation inputs; these were"):
        folder.add([tg.SeedResult(1, {"success": True}, 0.5, eval_inputs=1000)])
    resumed = SweepFolder(tmp_path, spec, resume=True, eval_inputs=None)
    assert resumed.spec["eval_inputs"] == 2500 and resumed.missing([0, 1]) == [1]


class _PostStyleGenerator(torch.nn.Module):
    """As the post writes its generator: ``train`` means one training step."""

    def __init__(self) -> None:
        super().__init__()
        self.model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.model(x))

    def train(self, inputs, targets):
        raise AssertionError("judging must not train the generator")


def test_a_model_whose_train_is_a_training_step_is_judged_in_inference_mode():
    gen = _PostStyleGenerator()
    z = torch.rand(6, 4, generator=torch.Generator().manual_seed(1))
    out = judged_output(gen, z)
    assert gen.training and gen.model[1].training  # the flags as they were
    assert int(gen.model[1].num_batches_tracked) == 0  # running statistics untouched
    bn = gen.model[1]
    expected = torch.sigmoid(
        (gen.model[0](z) - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight
        + bn.bias
    )
    assert torch.allclose(out, expected.detach())
    result = evaluate_generator(gen, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0)
    assert result.eval_inputs == EVAL_INPUTS and gen.training
