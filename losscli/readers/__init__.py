"""Readers: files and stdin in, named numeric arrays bound to input roles out."""

from losscli.readers.bind import InputOptions, load_inputs, parse_binding
from losscli.readers.formats import FORMATS

__all__ = ["FORMATS", "InputOptions", "load_inputs", "parse_binding"]
