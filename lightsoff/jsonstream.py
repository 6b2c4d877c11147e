"""Read the items of a large JSON array one at a time, without loading the whole file.

The national directory export is some 300 MB of JSON and the communes file 9 MB: `json.load`
would hold all of it, parsed, at once. This reads a chunk at a time and hands out each
item of the array as soon as it is complete (the standard library's `raw_decode` does
the parsing), so memory follows the largest item, not the file.
"""

import json

CHUNK_CHARS = 1 << 20
# An item that does not parse within this many characters is malformed (or absurd): say
# so, rather than read the rest of a broken 300 MB file into memory looking for its end.
MAX_ITEM_CHARS = 16 << 20
_decoder = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


class JSONStreamError(ValueError):
    """The file is not JSON of the expected shape; the message says where and why."""


class _Reader:
    def __init__(self, file):
        self.file = file
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.items = 0  # items handed out so far, to say where an error is

    def _fill(self):
        chunk = self.file.read(CHUNK_CHARS)
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self):
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def expect(self, char, what):
        if self.peek() != char:
            raise JSONStreamError(f"expected {what} after item {self.items}")
        self.pos += 1

    def value(self):
        """Decode the next JSON value, reading more of the file until it is whole."""
        self.peek()
        while True:
            try:
                value, end = _decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if len(self.buffer) - self.pos < MAX_ITEM_CHARS and self._fill():
                    continue
                raise JSONStreamError(
                    f"invalid JSON after item {self.items}: {error.msg}"
                ) from None
            # A number cut by the end of a chunk ("12" of "1234") would decode too.
            if end == len(self.buffer) and not self.eof and self._fill():
                continue
            self.pos = end
            return value


def iter_array(file, *, key=None):
    """Yield the items of the array at the top of `file` (an open text file), or, when
    the top is an object, of the array under `key` in it (other members are skipped).

    Raises JSONStreamError when the file is not of that shape or not valid JSON.
    """
    reader = _Reader(file)
    first = reader.peek()
    if first == "{" and key is not None:
        reader.pos += 1
        while True:
            if reader.peek() == "}":
                raise JSONStreamError(f'no "{key}" list in the file')
            name = reader.value()
            reader.expect(":", "a colon")
            if name == key:
                break
            reader.value()  # another member: skipped
            if reader.peek() == ",":
                reader.pos += 1
    elif first != "[":
        wanted = f'a list, or an object with a "{key}" list' if key else "a list"
        raise JSONStreamError(f"the file does not hold {wanted}")
    reader.expect("[", "a list")
    if reader.peek() == "]":
        return
    while True:
        yield reader.value()
        reader.items += 1
        following = reader.peek()
        if following == ",":
            reader.pos += 1
        elif following == "]":
            return
        else:
            raise JSONStreamError(
                f"expected a comma or the end of the list after item {reader.items}"
            )
