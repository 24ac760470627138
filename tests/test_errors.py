from __future__ import annotations

from genotex.errors import GenotexError, InputError


def test_input_error__one_line_with_file_line_and_fix() -> None:
    problem = "non-numeric value 'abc'\nin column S1"
    err = InputError("data/x.gct.gz", problem, "fix the cell", line=12)
    text = str(err)
    assert text == "data/x.gct.gz:12: non-numeric value 'abc' in column S1; fix: fix the cell"
    assert "\n" not in text
    assert isinstance(err, ValueError)
    assert isinstance(err, GenotexError)


def test_input_error__without_line_or_fix() -> None:
    assert str(InputError(None, "empty table")) == "<input>: empty table"
