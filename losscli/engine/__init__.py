"""The engine: loss specs resolved, then one streaming pass over the inputs (see passes.py)."""

from losscli.engine.losses import ResolvedLoss, resolve_losses
from losscli.engine.passes import CHUNK_VALUES, NAN_POLICIES, Binder, Meter, Outputs, evaluate
from losscli.engine.results import Evaluation, InputInfo, LossResult
from losscli.engine.samples import AllRows, FirstRows, SampleRows, TopRows

__all__ = [
    "CHUNK_VALUES", "NAN_POLICIES", "AllRows", "Binder", "Evaluation", "FirstRows", "InputInfo", "LossResult", "Meter",
    "Outputs",
    "ResolvedLoss", "SampleRows", "TopRows", "evaluate", "resolve_losses",
]
