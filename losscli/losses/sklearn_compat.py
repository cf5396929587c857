"""scikit-learn-compatible losses: ``sklearn.<metric name>`` from ``sklearn.metrics``."""

from __future__ import annotations
