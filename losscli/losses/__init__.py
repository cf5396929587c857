"""Every loss, grouped by family. Importing a family's module fills the registry with its losses.

The registry imports the canonical families first, and a library's family (``torch.*``,
``keras.*``, ``sklearn.*``) only when a name of it is asked for or every loss is listed, so an
eval of ``mse`` does not pay for the library modules' imports.
"""

CANONICAL = ("regression", "classification", "embedding", "segmentation", "sequence")
LIBRARIES = {"torch": "torch_compat", "keras": "keras_compat", "sklearn": "sklearn_compat"}
