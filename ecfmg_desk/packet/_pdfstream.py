"""A PDF writer that streams: every object goes to the file as soon as it is made, so memory stays flat.

Why not pypdf's ``PdfWriter`` or pikepdf: both keep the whole output in memory until the end. Measured on
this machine, merging 300 pages of 300-dpi colour scans (470 MB) peaked at 938 MB with pypdf and at 514 MB
with pikepdf (it copies foreign stream data eagerly), against a 400 MB budget (DESIGN.md section 5). Here one
source file at a time is read with pypdf, each reachable object is renumbered and written at once, and only
the page list, the outline and the cross-reference offsets stay in memory (a few bytes per object).

Stream data is copied as stored (a JPEG keeps its bytes). With a password the file uses the standard
security handler, revision 6 (AES-256, ISO 32000-2 section 7.6.4), built on ``cryptography``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from ._saslprep import prepare_password

_MAX_DEPTH = 64
"""Deepest nesting of direct objects copied; a deeper one is a malformed (or hostile) file."""

_PAGE_KEYS_DROPPED = frozenset({"/Parent", "/Contents", "/Resources", "/Type", "/StructParents", "/B"})
"""Page entries rewritten (tree, contents, resources) or dropped: structure tree and article beads are not
copied, so their back-references would dangle."""

_PERMISSIONS_ALL = -4
"""/P with every permission granted: the password protects reading, not printing or copying."""


class PdfCopyError(Exception):
    """A source PDF object could not be read or copied (the caller names the file to the user)."""


def pdf_string(text: str) -> bytes:
    """Encode a text string the way PDF readers expect: PDFDocEncoding when ASCII, else UTF-16BE + BOM."""
    if all(32 <= ord(c) < 127 for c in text):
        return text.encode("ascii")
    return b"\xfe\xff" + text.encode("utf-16-be")


def _num(value: float) -> bytes:
    return (b"%.4f" % value).rstrip(b"0").rstrip(b".")


@functools.lru_cache(maxsize=4096)
def _name(name: str) -> bytes:
    """A name in PDF syntax (``#xx`` escapes): a few dozen distinct names are written thousands of times per
    packet, and pypdf escapes character by character (a tenth of an export's copying time)."""
    return NameObject(name).renumber()


def _leaf(obj: PdfObject) -> bytes:
    if isinstance(obj, NameObject):
        return _name(obj)
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


class _Aes256:
    """Standard security handler revision 6: one random file key; U/UE, O/OE and Perms derived from it."""

    def __init__(self, password: str) -> None:
        self.file_key = os.urandom(32)
        pw = prepare_password(password)  # SASLprep; over 127 bytes is refused, never cut
        u_valid, u_key = os.urandom(8), os.urandom(8)
        self.u = _hash_r6(pw, u_valid, b"") + u_valid + u_key
        self.ue = _aes_cbc_no_pad(_hash_r6(pw, u_key, b""), self.file_key)
        o_valid, o_key = os.urandom(8), os.urandom(8)
        self.o = _hash_r6(pw, o_valid, self.u) + o_valid + o_key
        self.oe = _aes_cbc_no_pad(_hash_r6(pw, o_key, self.u), self.file_key)
        perms = (_PERMISSIONS_ALL & 0xFFFFFFFF).to_bytes(4, "little") + b"\xff\xff\xff\xffTadb" + os.urandom(4)
        ecb = Cipher(algorithms.AES(self.file_key), modes.ECB()).encryptor()
        self.perms = ecb.update(perms) + ecb.finalize()

    def encrypt(self, data: bytes) -> bytes:
        """AESV3: a random 16-byte IV, then AES-256-CBC with PKCS#7 padding."""
        iv = os.urandom(16)
        pad = 16 - len(data) % 16
        enc = Cipher(algorithms.AES(self.file_key), modes.CBC(iv)).encryptor()
        return iv + enc.update(data) + enc.update(bytes([pad]) * pad) + enc.finalize()

    def dictionary(self) -> bytes:
        def hexs(b: bytes) -> bytes:
            return b"<" + b.hex().encode() + b">"

        return (
            b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P %d /EncryptMetadata true"
            b" /CF << /StdCF << /Type /CryptFilter /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >>"
            b" /StmF /StdCF /StrF /StdCF /U %s /UE %s /O %s /OE %s /Perms %s >>"
            % (_PERMISSIONS_ALL, hexs(self.u), hexs(self.ue), hexs(self.o), hexs(self.oe), hexs(self.perms))
        )


def _aes_cbc_no_pad(key: bytes, data: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor()
    return enc.update(data) + enc.finalize()


def _hash_r6(password: bytes, salt: bytes, udata: bytes) -> bytes:
    """Algorithm 2.B of ISO 32000-2: the iterated SHA-2/AES hash of a revision-6 password."""
    k = hashlib.sha256(password + salt + udata).digest()
    i = 0
    while True:
        k1 = (password + k + udata) * 64
        enc = Cipher(algorithms.AES(k[:16]), modes.CBC(k[16:32])).encryptor()
        e = enc.update(k1) + enc.finalize()
        digest = (hashlib.sha256, hashlib.sha384, hashlib.sha512)[int.from_bytes(e[:16], "big") % 3]
        k = digest(e).digest()
        i += 1
        if i >= 64 and e[-1] <= i - 32:
            return k[:32]


@dataclass
class Source:
    """One open source PDF and the numbers its objects received in the output."""

    reader: PdfReader
    numbers: dict[tuple[int, int], int] = field(default_factory=dict)
    pending: list[tuple[int, IndirectObject]] = field(default_factory=list)
    pages: set[tuple[int, int]] = field(default_factory=set)
    patches: dict[tuple[int, int], Callable[[bytes], bytes]] = field(default_factory=dict)
    """Streams whose decoded data is rewritten on the way (e.g. a font's ToUnicode map)."""


@dataclass(frozen=True)
class OutlineNode:
    title: str
    page_number: int
    """Index into the writer's page list (0-based)."""
    children: tuple[OutlineNode, ...] = ()


ImageRewrite = Callable[[StreamObject], tuple[bytes, Mapping[str, bytes]] | None]
"""Given an image XObject, its new stored bytes and the dictionary entries that change (``/Filter`` ...), or
``None`` to copy it as stored. Only for a file over a portal's size limit (lossy; see packet.destinations)."""


class StreamingPdfWriter:
    """Writes a PDF to ``fh`` object by object. Call :meth:`finish` once, after the last page."""

    def __init__(
        self,
        fh: IO[bytes],
        *,
        password: str | None = None,
        recompress: bool = False,
        rewrite_image: ImageRewrite | None = None,
    ) -> None:
        """``recompress``: Flate streams are decoded and compressed again at the highest level (lossless; for a
        file over a portal's size limit). ``rewrite_image``: each image may be stored anew (lossy, after
        lossless was not enough). Otherwise stream data is copied as stored."""
        self._fh = fh
        self._level = 9 if recompress else 6
        self._recompress = recompress
        self._rewrite_image = rewrite_image
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._next = 1
        self._crypt = _Aes256(password) if password else None
        self.pages_root = self.alloc()
        self._page_numbers: list[int] = []
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # ---- low level -------------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        self._fh.write(data)
        self._pos += len(data)

    def alloc(self) -> int:
        num = self._next
        self._next += 1
        return num

    def write_object(self, num: int, body: bytes) -> None:
        self._offsets[num] = self._pos
        self._write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def write_stream(self, num: int, entries: bytes, data: bytes, *, encrypt: bool = True) -> None:
        """``entries``: the stream dictionary's entries without ``/Length`` (and without ``<< >>``)."""
        if self._crypt is not None and encrypt:
            data = self._crypt.encrypt(data)
        self._offsets[num] = self._pos
        self._write(b"%d 0 obj\n<<%s /Length %d>>\nstream\n" % (num, entries, len(data)))
        self._write(data)
        self._write(b"\nendstream\nendobj\n")

    def string(self, raw: bytes) -> bytes:
        """A string object (encrypted when the file is)."""
        if self._crypt is not None:
            raw = self._crypt.encrypt(raw)
        return b"<" + raw.hex().encode() + b">"

    def text(self, text: str) -> bytes:
        return self.string(pdf_string(text))

    def new_stream(self, data: bytes, entries: bytes = b"", *, compress: bool = True) -> int:
        num = self.alloc()
        if compress and len(data) > 64:
            data, entries = zlib.compress(data, 6), entries + b" /Filter /FlateDecode"
        self.write_stream(num, entries, data)
        return num

    # ---- copying from a source PDF ---------------------------------------------------------------------
    def number_for(self, src: Source, ref: IndirectObject) -> int:
        key = (ref.idnum, ref.generation)
        num = src.numbers.get(key)
        if num is None:
            num = src.numbers[key] = self.alloc()
            src.pending.append((num, ref))
        return num

    def serialize(self, src: Source, obj: PdfObject, depth: int = 0) -> bytes:
        """A direct object in PDF syntax; indirect references are renumbered and queued for copying."""
        if depth > _MAX_DEPTH:
            raise PdfCopyError("objects nested too deeply")
        if isinstance(obj, IndirectObject):
            return b"%d 0 R" % self.number_for(src, obj)
        if isinstance(obj, DictionaryObject):
            parts = [b"<<"]
            for key, value in dict.items(obj):
                parts.append(_leaf(NameObject(key)) + b" " + self.serialize(src, value, depth + 1))
            parts.append(b">>")
            return b" ".join(parts)
        if isinstance(obj, ArrayObject):
            return b"[" + b" ".join(self.serialize(src, v, depth + 1) for v in list.__iter__(obj)) + b"]"
        if isinstance(obj, NameObject):
            return _leaf(obj)
        if isinstance(obj, TextStringObject):
            return self.string(obj.original_bytes)
        if isinstance(obj, ByteStringObject):
            return self.string(bytes(obj))
        if isinstance(obj, BooleanObject | NumberObject | FloatObject | NullObject):
            return _leaf(obj)
        if obj is None:
            return b"null"
        raise PdfCopyError(f"unexpected object {type(obj).__name__}")

    def drain(self, src: Source) -> None:
        """Copy every object queued by :meth:`serialize`, and whatever those refer to in turn."""
        while src.pending:
            num, ref = src.pending.pop()
            try:
                obj = ref.get_object()
            except Exception as exc:  # pypdf raises many types on damaged files
                raise PdfCopyError(f"object {ref.idnum} cannot be read ({exc})") from exc
            key = (ref.idnum, ref.generation)
            if isinstance(obj, StreamObject):
                self._copy_stream(src, num, obj, src.patches.get(key))
            elif isinstance(obj, DictionaryObject) and self._is_foreign_structure(src, key, obj):
                # The source's catalog, page tree or a page not being copied: never pull them in.
                self.write_object(num, b"null")
            else:
                self.write_object(num, self.serialize(src, obj) if obj is not None else b"null")

    @staticmethod
    def _is_foreign_structure(src: Source, key: tuple[int, int], obj: DictionaryObject) -> bool:
        kind = dict.get(obj, "/Type")
        if kind in ("/Catalog", "/Pages"):
            return True
        return kind == "/Page" and key not in src.pages

    def _copy_stream(self, src: Source, num: int, obj: StreamObject, patch: Callable[[bytes], bytes] | None) -> None:
        if self._rewrite_image is not None and patch is None and dict.get(obj, "/Subtype") == "/Image":
            rewritten = self._rewrite_image(obj)
            if rewritten is not None:
                new_data, changed = rewritten
                drop = {"/Length", "/Filter", "/DecodeParms", *changed}
                new_entries = b"".join(
                    b" " + _leaf(NameObject(k)) + b" " + self.serialize(src, v, 1)
                    for k, v in dict.items(obj) if k not in drop
                ) + b"".join(b" " + _leaf(NameObject(k)) + b" " + v for k, v in changed.items())
                self.write_stream(num, new_entries, new_data)
                return
        keep_filter = isinstance(obj, EncodedStreamObject) and patch is None
        if keep_filter and self._recompress and dict.get(obj, "/Filter") == "/FlateDecode":
            keep_filter = "/DecodeParms" in obj  # a predictor (PNG data) stays as stored
        skip = {"/Length"} if keep_filter else {"/Length", "/Filter", "/DecodeParms"}
        entries = b"".join(
            b" " + _leaf(NameObject(k)) + b" " + self.serialize(src, v, 1) for k, v in dict.items(obj) if k not in skip
        )
        if keep_filter:
            # pypdf keeps a stream's stored (still encoded) bytes in ``_data``; copying them untouched is the
            # point (no scan is ever decoded or re-compressed). pypdf is pinned to 7.x; test_assemble checks it.
            data: bytes = obj._data
        else:
            try:
                data = obj.get_data()
            except Exception as exc:
                raise PdfCopyError(f"stream {num} cannot be decoded ({exc})") from exc
            if patch is not None:
                data = patch(data)
            if len(data) >= 64:
                data, entries = zlib.compress(data, self._level), entries + b" /Filter /FlateDecode"
        self.write_stream(num, entries, data)

    def open_source(self, reader: PdfReader) -> Source:
        """Start copying from ``reader``. Every page gets its output number first, so links between its
        pages stay valid whichever is copied first."""
        src = Source(reader)
        for page in reader.pages:
            ref = page.indirect_reference
            if ref is not None:
                key = (ref.idnum, ref.generation)
                src.pages.add(key)
                src.numbers.setdefault(key, self.alloc())
        return src

    def add_page(
        self,
        src: Source,
        page_index: int,
        *,
        before: Sequence[int] = (),
        after: Sequence[int] = (),
        xobjects: Sequence[tuple[str, int]] = (),
        drop_annotation: Callable[[PdfObject], bool] | None = None,
    ) -> int:
        """Copy page ``page_index`` of ``src`` as the next page of the output.

        ``before``/``after``: content streams (output numbers) drawn before and after the page's own;
        ``xobjects``: (name, number) added to a private copy of the page's /XObject resources, so a
        resource dictionary shared with other pages is never changed; ``drop_annotation``: annotations it
        returns true for are left out (a signature field, for a portal that refuses them).
        """
        page = src.reader.pages[page_index]
        ref = page.indirect_reference
        if ref is None:
            raise PdfCopyError("page without an object number")
        num = src.numbers.get((ref.idnum, ref.generation)) or self.alloc()
        parts = [b"<< /Type /Page /Parent %d 0 R" % self.pages_root]
        for key, value in dict.items(page):
            if key == "/Annots" and drop_annotation is not None:
                annots = value.get_object() if isinstance(value, IndirectObject) else value
                kept = [a for a in list.__iter__(annots) if not drop_annotation(a)] if isinstance(
                    annots, ArrayObject) else []
                if kept:
                    parts.append(b"/Annots [" + b" ".join(self.serialize(src, a, 1) for a in kept) + b"]")
            elif key not in _PAGE_KEYS_DROPPED:
                parts.append(_leaf(NameObject(key)) + b" " + self.serialize(src, value))
        parts.append(b"/Resources " + self._resources(src, page, xobjects))
        refs = [b"%d 0 R" % n for n in before]
        refs += [b"%d 0 R" % self.number_for(src, r) for r in self._content_refs(page)]
        refs += [b"%d 0 R" % n for n in after]
        parts.append(b"/Contents [" + b" ".join(refs) + b"] >>")
        self.write_object(num, b" ".join(parts))
        self._page_numbers.append(num)
        self.drain(src)
        return len(self._page_numbers) - 1

    def add_placed_page(
        self,
        src: Source,
        page_index: int,
        *,
        size: tuple[float, float],
        matrix: str,
        after: Sequence[int] = (),
        xobjects: Sequence[tuple[str, int]] = (),
    ) -> int:
        """A new page of ``size`` points showing page ``page_index`` of ``src`` through ``matrix`` (a ``cm``
        operand string), e.g. an image's true-size page centred on the packet's paper.

        The source page becomes a Form XObject: its image data is copied as stored, never decoded.
        """
        form = self.form_from_page(src, page_index)
        draw = self.new_stream(f"q {matrix} cm /ECFMGDeskPage Do Q\n".encode("ascii"), compress=False)
        names = b" ".join(_leaf(NameObject(name)) + b" %d 0 R" % number for name, number in xobjects)
        num = self.alloc()
        refs = b" ".join(b"%d 0 R" % n for n in (draw, *after))
        self.write_object(
            num,
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /ECFMGDeskPage %d 0 R %s"
            b" >> >> /Contents [%s] >>" % (self.pages_root, _num(size[0]), _num(size[1]), form, names, refs),
        )
        self._page_numbers.append(num)
        return len(self._page_numbers) - 1

    def _resources(self, src: Source, page: DictionaryObject, xobjects: Sequence[tuple[str, int]]) -> bytes:
        raw = dict.get(page, "/Resources")
        if not xobjects:
            return self.serialize(src, raw) if raw is not None else b"<< >>"
        res = raw.get_object() if isinstance(raw, IndirectObject) else raw
        res = res if isinstance(res, DictionaryObject) else DictionaryObject()
        parts = [b"<<"]
        for key, value in dict.items(res):
            if key != "/XObject":
                parts.append(_leaf(NameObject(key)) + b" " + self.serialize(src, value))
        xo_raw = dict.get(res, "/XObject")
        xo = xo_raw.get_object() if isinstance(xo_raw, IndirectObject) else xo_raw
        parts.append(b"/XObject <<")
        if isinstance(xo, DictionaryObject):
            for key, value in dict.items(xo):
                parts.append(_leaf(NameObject(key)) + b" " + self.serialize(src, value))
        for name, number in xobjects:
            parts.append(_leaf(NameObject(name)) + b" %d 0 R" % number)
        parts.append(b">> >>")
        return b" ".join(parts)

    @staticmethod
    def _content_refs(page: DictionaryObject) -> list[IndirectObject]:
        raw = dict.get(page, "/Contents")
        if isinstance(raw, IndirectObject):
            target = raw.get_object()
            if isinstance(target, ArrayObject):
                raw = target
            else:
                return [raw]
        if isinstance(raw, ArrayObject):
            return [r for r in list.__iter__(raw) if isinstance(r, IndirectObject)]
        return []

    @staticmethod
    def _decoded(ref: IndirectObject) -> bytes:
        obj = ref.get_object()
        if not isinstance(obj, StreamObject):
            raise PdfCopyError(f"object {ref.idnum} is not a content stream")
        return obj.get_data()

    def form_from_page(self, src: Source, page_index: int) -> int:
        """A Form XObject holding page ``page_index`` of ``src`` (an overlay drawn without touching a scan)."""
        page = src.reader.pages[page_index]
        box = [float(v) for v in page.mediabox]
        data = b"\n".join(self._decoded(r) for r in self._content_refs(page))
        entries = b" /Type /XObject /Subtype /Form /BBox [%s] /Resources %s" % (
            b" ".join(b"%g" % v for v in box),
            self._resources(src, page, ()),
        )
        num = self.new_stream(data, entries)
        self.drain(src)
        return num

    # ---- document structure ----------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return len(self._page_numbers)

    def page_ref(self, index: int) -> bytes:
        return b"%d 0 R" % self._page_numbers[index]

    def _write_outline(self, nodes: Sequence[OutlineNode]) -> int | None:
        if not nodes:
            return None
        root = self.alloc()

        def place(items: Sequence[OutlineNode], parent: int) -> tuple[int, int, int]:
            nums = [self.alloc() for _ in items]
            visible = len(items)
            for i, (item, num) in enumerate(zip(items, nums, strict=True)):
                entries = [
                    b"/Title " + self.text(item.title),
                    b"/Parent %d 0 R" % parent,
                    b"/Dest [%s /XYZ null null null]" % self.page_ref(item.page_number),
                ]
                if i > 0:
                    entries.append(b"/Prev %d 0 R" % nums[i - 1])
                if i + 1 < len(nums):
                    entries.append(b"/Next %d 0 R" % nums[i + 1])
                if item.children:
                    first, last, count = place(item.children, num)
                    entries.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (first, last, count))
                    visible += count
                self.write_object(num, b"<< " + b" ".join(entries) + b" >>")
            return nums[0], nums[-1], visible

        first, last, count = place(nodes, root)
        self.write_object(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, count))
        return root

    def finish(self, *, info: dict[str, bytes], outline: Sequence[OutlineNode] = (), lang: str = "en") -> None:
        """Write the page tree, outline, document information, catalog, cross-reference table and trailer.

        ``info`` values are already-serialized PDF values (see :meth:`text`).
        """
        kids = b" ".join(b"%d 0 R" % n for n in self._page_numbers)
        self.write_object(self.pages_root, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._page_numbers)))
        outline_num = self._write_outline(outline)
        info_num = self.alloc()
        self.write_object(
            info_num, b"<< " + b" ".join(_leaf(NameObject(k)) + b" " + v for k, v in info.items()) + b" >>"
        )
        catalog = [b"/Type /Catalog /Pages %d 0 R" % self.pages_root, b"/Lang " + self.text(lang)]
        catalog.append(b"/ViewerPreferences << /DisplayDocTitle true >>")
        if outline_num is not None:
            catalog.append(b"/Outlines %d 0 R /PageMode /UseOutlines" % outline_num)
        if self._crypt is not None:
            catalog.append(b"/Extensions << /ADBE << /BaseVersion /1.7 /ExtensionLevel 8 >> >>")
        catalog_num = self.alloc()
        self.write_object(catalog_num, b"<< " + b" ".join(catalog) + b" >>")
        encrypt_num = None
        if self._crypt is not None:
            encrypt_num = self.alloc()
            self.write_object(encrypt_num, self._crypt.dictionary())
        for num in range(1, self._next):
            if num not in self._offsets:  # allocated, never written (a dropped reference): make it null
                self.write_object(num, b"null")
        xref_at = self._pos
        rows = [b"xref\n0 %d\n0000000000 65535 f\r\n" % self._next]
        rows += [b"%010d 00000 n\r\n" % self._offsets[n] for n in range(1, self._next)]
        self._write(b"".join(rows))
        file_id = os.urandom(16).hex().encode()
        trailer = b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]" % (
            self._next,
            catalog_num,
            info_num,
            file_id,
            file_id,
        )
        if encrypt_num is not None:
            trailer += b" /Encrypt %d 0 R" % encrypt_num
        self._write(trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at)
