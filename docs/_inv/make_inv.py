"""Write the small intersphinx inventories in this folder, so the docs build offline.

Each inventory lists just the outside names tinygan's docs link to, with their real
addresses in each project's published docs. Add a name here when ``sphinx-build -n``
reports a missing ``py:`` reference to Python, PyTorch, NumPy or matplotlib, then run
``python docs/_inv/make_inv.py``.
"""

from __future__ import annotations

import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (role, uri); a uri ending in "#" gets the name appended.
PYTHON = {
    **{n: ("py:class", "library/functions.html#") for n in ("int", "float", "bool", "object")},
    **{
        n: ("py:class", "library/stdtypes.html#") for n in ("str", "list", "tuple", "dict", "bytes")
    },
    "None": ("py:data", "library/constants.html#"),
    "NotImplemented": ("py:data", "library/constants.html#"),
    **{
        n: ("py:exception", "library/exceptions.html#")
        for n in (
            "ValueError",
            "TypeError",
            "ImportError",
            "KeyError",
            "KeyboardInterrupt",
            "FloatingPointError",
            "RuntimeError",
            "SystemExit",
            "Exception",
            "OSError",
            "FileNotFoundError",
            "NotImplementedError",
        )
    },
    **{
        f"typing.{n}": ("py:class", "library/typing.html#")
        for n in ("Protocol", "TypeVar", "Generic", "Union", "Optional", "Literal", "NamedTuple")
    },
    "typing.Any": ("py:data", "library/typing.html#"),
    "typing.runtime_checkable": ("py:function", "library/typing.html#"),
    "typing.TYPE_CHECKING": ("py:data", "library/typing.html#"),
    **{
        f"collections.abc.{n}": ("py:class", "library/collections.abc.html#")
        for n in ("Sequence", "Callable", "Iterable", "Iterator", "Mapping", "MutableMapping")
    },
    "os.PathLike": ("py:class", "library/os.html#"),
    "pathlib.Path": ("py:class", "library/pathlib.html#"),
    "argparse.Namespace": ("py:class", "library/argparse.html#"),
    "argparse.ArgumentParser": ("py:class", "library/argparse.html#"),
    "argparse.ArgumentTypeError": ("py:exception", "library/argparse.html#"),
    "argparse": ("py:module", "library/argparse.html#module-argparse"),
    "logging": ("py:module", "library/logging.html#module-logging"),
    "random": ("py:module", "library/random.html#module-random"),
    "typing": ("py:module", "library/typing.html#module-typing"),
    "dataclasses.dataclass": ("py:function", "library/dataclasses.html#"),
    "collections.OrderedDict": ("py:class", "library/collections.html#"),
    "concurrent.futures.Executor": ("py:class", "library/concurrent.futures.html#"),
    "concurrent.futures.ProcessPoolExecutor": ("py:class", "library/concurrent.futures.html#"),
    "concurrent.futures.ThreadPoolExecutor": ("py:class", "library/concurrent.futures.html#"),
    "functools.partial": ("py:function", "library/functools.html#"),
    "ctypes": ("py:module", "library/ctypes.html#module-ctypes"),
    "ctypes.Structure": ("py:class", "library/ctypes.html#"),
    "ctypes.CDLL": ("py:class", "library/ctypes.html#"),
    "os.stat_result": ("py:class", "library/os.html#"),
    "warnings": ("py:module", "library/warnings.html#module-warnings"),
}

TORCH = {
    "torch.Tensor": ("py:class", "tensors.html#"),
    "torch.Generator": ("py:class", "generated/torch.Generator.html#"),
    "torch.device": ("py:class", "tensor_attributes.html#"),
    "torch.dtype": ("py:class", "tensor_attributes.html#"),
    "torch.nn.Module": ("py:class", "generated/torch.nn.Module.html#"),
    "torch.nn.Linear": ("py:class", "generated/torch.nn.Linear.html#"),
    "torch.nn.Sequential": ("py:class", "generated/torch.nn.Sequential.html#"),
    "torch.nn.Sigmoid": ("py:class", "generated/torch.nn.Sigmoid.html#"),
    "torch.nn.MSELoss": ("py:class", "generated/torch.nn.MSELoss.html#"),
    "torch.nn.BCELoss": ("py:class", "generated/torch.nn.BCELoss.html#"),
    "torch.nn.parameter.Parameter": ("py:class", "generated/torch.nn.parameter.Parameter.html#"),
    "torch.nn.Parameter": (
        "py:class",
        "generated/torch.nn.parameter.Parameter.html#torch.nn.parameter.Parameter",
    ),
    "torch.optim.Optimizer": ("py:class", "optim.html#"),
    "torch.optim.SGD": ("py:class", "generated/torch.optim.SGD.html#"),
    "torch.optim.Adam": ("py:class", "generated/torch.optim.Adam.html#"),
    "torch.utils.tensorboard": ("py:module", "tensorboard.html#module-torch.utils.tensorboard"),
    "torch.utils.tensorboard.writer.SummaryWriter": ("py:class", "tensorboard.html#"),
    "torch.load": ("py:function", "generated/torch.load.html#"),
    "torch.compile": ("py:function", "generated/torch.compile.html#"),
    "torch.addcmul": ("py:function", "generated/torch.addcmul.html#"),
    "torch.save": ("py:function", "generated/torch.save.html#"),
    "torch.manual_seed": ("py:function", "generated/torch.manual_seed.html#"),
    "torch.no_grad": ("py:class", "generated/torch.no_grad.html#"),
    "torch.autograd.grad": ("py:function", "generated/torch.autograd.grad.html#"),
    "torch.nn.functional.mse_loss": ("py:function", "generated/torch.nn.functional.mse_loss.html#"),
    "torch.nn.functional.binary_cross_entropy": (
        "py:function",
        "generated/torch.nn.functional.binary_cross_entropy.html#",
    ),
    "torch.nn.init.kaiming_uniform_": ("py:function", "nn.init.html#"),
    "torch.randint": ("py:function", "generated/torch.randint.html#"),
    "torch.nn.BCEWithLogitsLoss": ("py:class", "generated/torch.nn.BCEWithLogitsLoss.html#"),
    "torch.nn.LayerNorm": ("py:class", "generated/torch.nn.LayerNorm.html#"),
    "torch.nn.LeakyReLU": ("py:class", "generated/torch.nn.LeakyReLU.html#"),
    "torch.nn.Tanh": ("py:class", "generated/torch.nn.Tanh.html#"),
    "torch.nn.ReLU": ("py:class", "generated/torch.nn.ReLU.html#"),
    "torch.nn.functional.binary_cross_entropy_with_logits": (
        "py:function",
        "generated/torch.nn.functional.binary_cross_entropy_with_logits.html#",
    ),
    "torch.optim.AdamW": ("py:class", "generated/torch.optim.AdamW.html#"),
    "torch.optim.RMSprop": ("py:class", "generated/torch.optim.RMSprop.html#"),
    "torch.utils.data.Dataset": ("py:class", "data.html#"),
    "torch.utils.data.TensorDataset": ("py:class", "data.html#"),
    "torch.utils.data.dataset.Dataset": ("py:class", "data.html#torch.utils.data.Dataset"),
    "torch.func": ("py:module", "func.html#module-torch.func"),
    "torch.func.vmap": ("py:function", "generated/torch.func.vmap.html#"),
    "torch.func.functional_call": ("py:function", "generated/torch.func.functional_call.html#"),
    "torch.func.stack_module_state": (
        "py:function",
        "generated/torch.func.stack_module_state.html#",
    ),
}

NUMPY = {
    "numpy.ndarray": ("py:class", "reference/generated/numpy.ndarray.html#"),
    "numpy.float32": ("py:attribute", "reference/arrays.scalars.html#"),
    "numpy.float64": ("py:attribute", "reference/arrays.scalars.html#"),
    "numpy.int64": ("py:attribute", "reference/arrays.scalars.html#"),
}

MATPLOTLIB = {
    "matplotlib.figure.Figure": ("py:class", "api/_as_gen/matplotlib.figure.Figure.html#"),
    "matplotlib.figure.Figure.savefig": (
        "py:method",
        "api/_as_gen/matplotlib.figure.Figure.savefig.html#",
    ),
    "matplotlib.axes.Axes": ("py:class", "api/_as_gen/matplotlib.axes.Axes.html#"),
    "matplotlib.pyplot": ("py:module", "api/pyplot_summary.html#module-matplotlib.pyplot"),
    "matplotlib.image.imread": ("py:function", "api/_as_gen/matplotlib.image.imread.html#"),
}


def write(path: Path, project: str, version: str, entries: dict[str, tuple[str, str]]) -> None:
    """Write one inventory in Sphinx's version 2 format."""
    lines = []
    for name, (role, uri) in sorted(entries.items()):
        if uri.endswith("#"):
            uri += name
        lines.append(f"{name} {role} 1 {uri} -")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(lines) + "\n").encode("utf-8"), 9)
    path.write_bytes(header.encode("utf-8") + body)


def main() -> None:
    """Write python.inv, torch.inv, numpy.inv and matplotlib.inv here."""
    write(HERE / "python.inv", "Python", "3", PYTHON)
    write(HERE / "torch.inv", "PyTorch", "stable", TORCH)
    write(HERE / "numpy.inv", "NumPy", "stable", NUMPY)
    write(HERE / "matplotlib.inv", "Matplotlib", "stable", MATPLOTLIB)


if __name__ == "__main__":
    main()
