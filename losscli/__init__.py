"""losscli: evaluate model outputs against targets from the command line.

This module stays import-light: ``losscli --version`` and ``--help`` must not pull in
numpy, pandas or pyarrow.
"""

__version__ = "0.1.0"
