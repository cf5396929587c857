"""Readers: files and stdin in, named numeric arrays bound to input roles out."""

from losscli.readers.bind import InputOptions, InputResolver, parse_binding, role_keys
from losscli.readers.formats import FORMATS

__all__ = ["FORMATS", "InputOptions", "InputResolver", "parse_binding", "role_keys"]
