"""The post's training loop, written the way the post writes it, timed against tinygan.

"Make Your Own GAN, Part II" draws every number of every sample with ``random.uniform``
and wraps it in a ``torch.FloatTensor``, gives each network its own ``MSELoss`` and
``optim.SGD``, calls ``loss.item()`` at every step and snapshots the generator's output
every 1,000 steps. :func:`run_post_loop` is that code, kept faithful to the post (only the
plotting is left out), so that tinygan's speed and results can be compared with it.

Run ``python benchmarks/post_loop.py`` to time both loops in this process, several
alternating repeats each, and print their iterations per second (medians) and the ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import warnings
from typing import Any

import numpy
import torch
import torch.nn as nn

import tinygan as tg

# ---------------------------------------------------------------------------------------
# The post's code (data functions, Discriminator, Generator, the three-step loop)
# ---------------------------------------------------------------------------------------


# function to generate real data
def generate_real():
    t = torch.FloatTensor(
        [
            random.uniform(0.8, 1.0),
            random.uniform(0.0, 0.2),
            random.uniform(0.8, 1.0),
            random.uniform(0.0, 0.2),
        ]
    ).view(1, 4)
    return t


# function to generate uniform random data
def generate_random():
    t = torch.FloatTensor(
        [
            random.uniform(0.0, 1.0),
            random.uniform(0.0, 1.0),
            random.uniform(0.0, 1.0),
            random.uniform(0.0, 1.0),
        ]
    ).view(1, 4)
    return t


# function to generate false data: a fuzzy 0101 (the discriminator-only test)
def generate_false():
    t = torch.FloatTensor(
        [
            random.uniform(0.0, 0.2),
            random.uniform(0.8, 1.0),
            random.uniform(0.0, 0.2),
            random.uniform(0.8, 1.0),
        ]
    ).view(1, 4)
    return t


## discriminator class
class Discriminator(nn.Module):
    def __init__(self):
        # initialise parent pytorch class
        super().__init__()

        # define the layers and their sizes, turn off bias
        self.linear_ih = nn.Linear(4, 3, bias=False)
        self.linear_ho = nn.Linear(3, 1, bias=False)

        # define activation function
        self.activation = nn.Sigmoid()

        # create error function
        self.error_function = torch.nn.MSELoss()
        # create optimiser, using simple stochastic gradient descent
        self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)

        # accumulator for progress
        self.progress = []

    def forward(self, inputs):
        # combine input layer signals into hidden layer
        hidden_inputs = self.linear_ih(inputs)
        # apply sigmiod activation function
        hidden_outputs = self.activation(hidden_inputs)

        # combine hidden layer signals into output layer
        final_inputs = self.linear_ho(hidden_outputs)
        # apply sigmiod activation function
        final_outputs = self.activation(final_inputs)

        return final_outputs

    def train(self, inputs, targets):
        # calculate the output of the network
        output = self.forward(inputs)

        # calculate error
        loss = self.error_function(output, targets)

        # accumulate error
        self.progress.append(loss.item())
        # zero gradients, perform a backward pass, and update the weights.
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()


# generator class
class Generator(nn.Module):
    def __init__(self):
        # initialise parent pytorch class
        super().__init__()

        # define the layers and their sizes, turn off bias
        self.linear_ih = nn.Linear(4, 4, bias=False)
        self.linear_ho = nn.Linear(4, 4, bias=False)

        # define activation function
        self.activation = nn.Sigmoid()

        # create error function
        self.error_function = torch.nn.MSELoss()
        # create optimiser, using simple stochastic gradient descent
        self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)

        # accumulator for progress
        self.progress = []

        # counter and array for outputting images
        self.counter = 0
        self.image_array_list = []

    def forward(self, inputs):
        # combine input layer signals into hidden layer
        hidden_inputs = self.linear_ih(inputs)
        # apply sigmiod activation function
        hidden_outputs = self.activation(hidden_inputs)

        # combine hidden layer signals into output layer
        final_inputs = self.linear_ho(hidden_outputs)
        # apply sigmiod activation function
        final_outputs = self.activation(final_inputs)

        return final_outputs

    def train(self, D, inputs, targets):  # noqa: N803 (the post's name)
        # calculate the output of the network
        g_output = self.forward(inputs)

        # pass onto Discriminator
        d_output = D.forward(g_output)

        # calculate error
        loss = D.error_function(d_output, targets)

        # calculate how far wrong the generator for purposes of plotting
        # note we're using knowledge about real data here
        g_loss = self.error_function(g_output, torch.FloatTensor([0.9, 0.0, 0.9, 0.0]))

        # accumulate error
        self.progress.append(g_loss.item())
        # zero gradients, perform a backward pass, and update the weights.
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()

        # increase counter and add row to image
        self.counter += 1
        if self.counter % 1000 == 0:
            self.image_array_list.append(g_output.detach().numpy())


def run_post_loop(steps: int, seed: int) -> dict[str, Any]:
    """Run the post's adversarial loop for ``steps`` iterations, seeded globally by ``seed``.

    Seeds Python's ``random`` and torch's global RNG (as a notebook would); only this
    benchmark does that, never the library. Builds ``D`` then ``G`` as the post does.

    Returns:
        A dict with ``"D"`` and ``"G"`` (the trained modules), ``"d_loss"`` (D's loss at
        every D step, real and fake interleaved, as the post logs it), ``"g_progress"``
        (G's MSE to ``[0.9, 0.0, 0.9, 0.0]`` at every G step), ``"images"`` (the
        snapshots concatenated, shape ``(steps // 1000, 4)``), ``"seconds"`` (the wall
        time of the loop alone) and ``"steps"``.
    """
    random.seed(seed)
    torch.manual_seed(seed)

    # create Discriminator and Generator
    D = Discriminator()
    G = Generator()

    # The post's targets are shape (1,) against outputs (1, 1): MSELoss warns about the
    # broadcast. The post's notebook shows the warning once; we silence it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        start = time.perf_counter()
        # train Discriminator and Generator
        for _i in range(steps):
            # train discriminator on true
            D.train(generate_real(), torch.FloatTensor([1.0]))

            # train discriminator on false
            # use detach() so only D is updated, not G
            D.train(G.forward(generate_random()).detach(), torch.FloatTensor([0.0]))

            # train generator
            G.train(D, generate_random(), torch.FloatTensor([1.0]))
        seconds = time.perf_counter() - start

    images = (
        numpy.concatenate(G.image_array_list)
        if G.image_array_list
        else numpy.zeros((0, 4), dtype=numpy.float32)
    )
    return {
        "D": D,
        "G": G,
        "d_loss": D.progress,
        "g_progress": G.progress,
        "images": images,
        "seconds": seconds,
        "steps": steps,
    }


def run_post_discriminator_test(steps: int, seed: int) -> dict[str, Any]:
    """Run the post's discriminator-only test: ``D`` learns fuzzy 1010 from fuzzy 0101.

    Returns:
        A dict with ``"D"``, ``"d_loss"`` and ``"seconds"``.
    """
    random.seed(seed)
    torch.manual_seed(seed)
    # test discriminator itself works
    D = Discriminator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        start = time.perf_counter()
        for _i in range(steps):
            D.train(generate_real(), torch.FloatTensor([1.0]))
            D.train(generate_false(), torch.FloatTensor([0.0]))
        seconds = time.perf_counter() - start
    return {"D": D, "d_loss": D.progress, "seconds": seconds}


# ---------------------------------------------------------------------------------------
# tinygan's default trainer on the post's configuration, and the timing harness
# ---------------------------------------------------------------------------------------


def run_tinygan(steps: int, seed: int) -> dict[str, Any]:
    """Run tinygan's default ``AdversarialTrainer`` on the post's configuration.

    Returns:
        A dict with ``"trainer"``, ``"log"`` (the :class:`tinygan.LossLogger`) and
        ``"seconds"`` (the wall time of ``fit`` alone).
    """
    g = torch.Generator().manual_seed(seed)
    G = tg.mlp([4, 4, 4], generator=g)
    D = tg.mlp([4, 3, 1], generator=g)
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    trainer = tg.AdversarialTrainer(
        G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=seed, callbacks=[log]
    )
    start = time.perf_counter()
    trainer.fit(steps)
    # Read the log back, so that any deferred work is paid for inside the timing.
    _ = log.d_loss, log.g_error
    seconds = time.perf_counter() - start
    return {"trainer": trainer, "log": log, "seconds": seconds}


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Time the post's loop and tinygan's default trainer; print medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="iterations per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="alternating repeats of each")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    # Warm up both (lazy initialisation, first-call overheads) outside the timings.
    run_post_loop(50, args.seed)
    run_tinygan(50, args.seed)

    post_rates: list[float] = []
    tinygan_rates: list[float] = []
    for r in range(args.repeats):
        post = run_post_loop(args.steps, args.seed + r)
        post_rates.append(args.steps / post["seconds"])
        ours = run_tinygan(args.steps, args.seed + r)
        tinygan_rates.append(args.steps / ours["seconds"])
        print(
            f"repeat {r + 1}/{args.repeats}: post {post_rates[-1]:8.0f} it/s   "
            f"tinygan {tinygan_rates[-1]:8.0f} it/s"
        )

    post_median = statistics.median(post_rates)
    tinygan_median = statistics.median(tinygan_rates)
    ratio = tinygan_median / post_median
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} it/repeat")
    print(f"post loop (median):        {post_median:8.0f} it/s")
    print(f"tinygan default (median):  {tinygan_median:8.0f} it/s")
    print(f"ratio tinygan / post:      {ratio:8.2f}x")
    return {"post": post_median, "tinygan": tinygan_median, "ratio": ratio}


if __name__ == "__main__":
    main()
