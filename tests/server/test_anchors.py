"""Memory anchors follow the edits a developer makes, or say they lost their place."""

from vidurai.memory.anchors import LineEdit, LineRange, apply_edit, find_anchor_line

FILE = ["import os", "", "def load():", "    return os.environ['X']", "", "print(load())"]


def edit(lines, start, end, text):
    """Apply an LSP-style change to ``lines``; return the new lines and the LineEdit."""
    (start_line, start_char), (end_line, end_char) = start, end
    source = "\n".join(lines)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    begin = offsets[start_line] + start_char
    finish = offsets[end_line] + end_char
    new_source = source[:begin] + text + source[finish:]
    change = LineEdit(start_line, start_char, end_line, end_char, text, len(lines[end_line]))
    return new_source.split("\n"), change


def lines_of(lines, anchor):
    return lines[anchor.start : anchor.end + 1]


def test_lines_inserted_above_move_the_memory_down():
    anchor = LineRange(3, 3)
    new_lines, change = edit(FILE, (1, 0), (1, 0), "# a\n# b\n# c\n")
    moved = apply_edit(anchor, change)
    assert moved == LineRange(6, 6)
    assert lines_of(new_lines, moved) == ["    return os.environ['X']"]


def test_enter_at_the_end_of_the_line_above_moves_the_memory_down():
    anchor = LineRange(3, 3)
    new_lines, change = edit(FILE, (2, 11), (2, 11), "\n    # doc")
    moved = apply_edit(anchor, change)
    assert lines_of(new_lines, moved) == ["    return os.environ['X']"]


def test_lines_deleted_above_move_the_memory_up():
    anchor = LineRange(5, 5)
    new_lines, change = edit(FILE, (0, 0), (2, 0), "")
    moved = apply_edit(anchor, change)
    assert moved == LineRange(3, 3)
    assert lines_of(new_lines, moved) == ["print(load())"]


def test_joining_the_memory_line_to_the_line_above_keeps_it_on_the_joined_line():
    anchor = LineRange(3, 3)
    new_lines, change = edit(FILE, (2, 11), (3, 0), "")  # Backspace at the start of line 3
    moved = apply_edit(anchor, change)
    assert moved == LineRange(2, 2)
    assert "return os.environ" in new_lines[2]


def test_edits_below_the_memory_leave_it_alone():
    anchor = LineRange(0, 0)
    _, change = edit(FILE, (4, 0), (5, 13), "x = 1\ny = 2\nz = 3")
    assert apply_edit(anchor, change) == anchor


def test_typing_on_the_memory_line_keeps_it_there():
    anchor = LineRange(3, 3)
    _, change = edit(FILE, (3, 26), (3, 26), "  # why")
    assert apply_edit(anchor, change) == anchor


def test_enter_at_the_end_of_a_one_line_memory_does_not_stretch_it():
    anchor = LineRange(3, 3)
    _, change = edit(FILE, (3, 26), (3, 26), "\n    ")
    assert apply_edit(anchor, change) == anchor


def test_lines_inserted_inside_a_multi_line_memory_stretch_it():
    anchor = LineRange(2, 3)  # the whole function
    new_lines, change = edit(FILE, (2, 11), (2, 11), "\n    '''Load X.'''\n    # note")
    moved = apply_edit(anchor, change)
    assert moved == LineRange(2, 5)
    assert lines_of(new_lines, moved)[0] == "def load():"
    assert lines_of(new_lines, moved)[-1] == "    return os.environ['X']"


def test_deleting_some_lines_of_a_multi_line_memory_shrinks_it():
    anchor = LineRange(2, 4)
    new_lines, change = edit(FILE, (3, 0), (4, 0), "")
    moved = apply_edit(anchor, change)
    assert moved == LineRange(2, 3)
    assert lines_of(new_lines, moved) == ["def load():", ""]


def test_deleting_all_lines_of_a_memory_detaches_it():
    _, change = edit(FILE, (2, 0), (4, 0), "")
    assert apply_edit(LineRange(2, 3), change) is None


def test_deleting_the_last_line_of_the_file_detaches_its_memory():
    _, change = edit(FILE, (4, 0), (5, 13), "")  # VS Code's Delete Line on the last line
    assert apply_edit(LineRange(5, 5), change) is None


def test_clearing_the_text_of_a_one_line_memory_detaches_it():
    _, change = edit(FILE, (3, 0), (3, 26), "")
    assert apply_edit(LineRange(3, 3), change) is None


def test_replacing_the_memory_line_with_new_lines_detaches_it():
    _, change = edit(FILE, (2, 0), (4, 0), "def load():\n    return 1\n")
    assert apply_edit(LineRange(3, 3), change) is None


def test_a_replaced_range_above_shifts_by_the_net_line_change():
    anchor = LineRange(5, 5)
    new_lines, change = edit(FILE, (0, 0), (1, 0), "import os\nimport sys\nimport re\n")
    moved = apply_edit(anchor, change)
    assert moved == LineRange(7, 7)
    assert lines_of(new_lines, moved) == ["print(load())"]


def test_anchor_text_is_found_at_the_nearest_line_with_that_text():
    lines = ["x", "    return 1", "y", "z", "    return 1"]
    assert find_anchor_line(lines, "return 1", expected_line=3) == 4
    assert find_anchor_line(lines, "return 1", expected_line=1) == 1


def test_anchor_text_that_is_nowhere_near_is_not_found():
    lines = ["a"] * 500 + ["needle"]
    assert find_anchor_line(lines, "needle", expected_line=0, max_distance=100) is None
    assert find_anchor_line(lines, "missing", expected_line=3) is None
    assert find_anchor_line(lines, "   ", expected_line=3) is None


def test_anchor_text_is_compared_as_it_was_stored():
    lines = ["x = 1", "TOKEN = 'abc'", "y = 2"]

    def stored(line):
        return line.strip().replace("'abc'", "[REDACTED:token]")

    assert (
        find_anchor_line(lines, "TOKEN = [REDACTED:token]", expected_line=0, as_stored=stored) == 1
    )
    assert find_anchor_line(lines, "TOKEN = [REDACTED:token]", expected_line=0) is None
