"""Errors raised for bad input: each names the file, the row or feature and the field."""

from __future__ import annotations


class InputError(ValueError):
    """A source file or form value is wrong; nothing has been written.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    file : str, optional
        The file (or form) the value came from.
    row : int or str, optional
        Row number (1-based, header excluded) or feature id.
    field : str, optional
        The column or property.
    """

    def __init__(self, message, *, file=None, row=None, field=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        super().__init__(str(self))

    def __str__(self):
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message


class StoreError(RuntimeError):
    """The store is missing, unreadable or lacks a layer."""
