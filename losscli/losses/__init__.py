"""Every loss, grouped by family; importing this package fills the registry (in this order)."""

from losscli.losses import regression  # isort: skip
from losscli.losses import classification  # isort: skip
from losscli.losses import embedding  # isort: skip
from losscli.losses import segmentation  # isort: skip
from losscli.losses import sequence  # isort: skip
from losscli.losses import torch_compat  # isort: skip
from losscli.losses import keras_compat  # isort: skip
from losscli.losses import sklearn_compat  # isort: skip

__all__ = ["classification", "embedding", "keras_compat", "regression", "segmentation", "sequence", "sklearn_compat", "torch_compat"]
