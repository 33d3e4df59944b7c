"""Training data: token shards -> documents -> fill-in-the-middle samples ->
packed fixed-length rows.

Shard format ("hearth-token-shards/1", written by the corpus tokenizer):
  manifest.json           splits -> shards, special token ids, vocabulary size
  *.tokens.gz             gzip of little-endian uint16 token ids; documents
                          concatenated, each ending in <|endoftext|>
  *.docs.gz               gzip of little-endian uint32 triples per document:
                          (start token, token count incl. <|endoftext|>,
                          header token count); the header is
                          <filename> + path + "\\n".

Everything random here is a pure function of (seed, epoch, piece index), so
the only state a resumed run needs is where the stream stands (epoch, cursor)
and the few tokens left over from the last row; see Packer.state().
"""

from __future__ import annotations

import gzip
import json
import os
import struct
from dataclasses import dataclass

import numpy as np

SHARD_FORMAT = "hearth-token-shards/1"

# Sample kinds, per token; used to report the loss on FIM middles separately.
KIND_PLAIN = 0      # an ordinary left-to-right document
KIND_CONTEXT = 1    # FIM prefix/suffix text and markers
KIND_MIDDLE = 2     # FIM middle and the <|endoftext|> that closes it


@dataclass(frozen=True)
class Specials:
    endoftext: int
    fim_prefix: int
    fim_middle: int
    fim_suffix: int
    filename: int


class Split:
    """All documents of one split, loaded into memory (uint16 tokens: 2 bytes each)."""

    def __init__(self, directory: str, manifest: dict, split: str):
        entry = manifest["splits"].get(split)
        if entry is None or not entry["shards"]:
            raise ValueError(f"{directory}/manifest.json has no shards for split '{split}'")
        token_parts, doc_parts, base = [], [], 0
        for shard in entry["shards"]:
            tokens = np.frombuffer(_gunzip(os.path.join(directory, shard["tokens"])), dtype="<u2")
            docs = np.frombuffer(_gunzip(os.path.join(directory, shard["docs"])), dtype="<u4").reshape(-1, 3).astype(np.int64)
            if docs.size and int((docs[:, 0] + docs[:, 1]).max()) > len(tokens):
                raise ValueError(f"{shard['docs']} points past the end of {shard['tokens']}")
            docs = docs.copy()
            docs[:, 0] += base
            token_parts.append(tokens)
            doc_parts.append(docs)
            base += len(tokens)
        self.tokens = np.concatenate(token_parts).astype(np.int64)
        self.docs = np.concatenate(doc_parts)

    @property
    def token_count(self) -> int:
        return int(len(self.tokens))


def _gunzip(path: str) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read()


def load_manifest(directory: str) -> dict:
    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    if manifest.get("format") != SHARD_FORMAT:
        raise ValueError(f"{directory}/manifest.json: format {manifest.get('format')!r}, expected {SHARD_FORMAT!r}")
    return manifest


def specials_of(manifest: dict) -> Specials:
    s = manifest["specialTokens"]
    return Specials(s["endoftext"], s["fim_prefix"], s["fim_middle"], s["fim_suffix"], s["filename"])


# --- newline tokens, from the vocabulary GGUF -----------------------------------------------
# Split points at line starts need to know which tokens contain a newline. The
# StarCoder tokenizer is byte-level BPE, where "\n" is spelled "Ċ" (U+010A) in
# the token text. Reading the token list needs only GGUF's metadata section.

_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def read_gguf_tokens(path: str) -> list[str]:
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:4] != b"GGUF":
        raise ValueError(f"{path} is not a GGUF file")
    offset = 8  # magic + version
    _tensors, kv_count = struct.unpack_from("<QQ", data, offset)
    offset += 16

    def read_string(at):
        (length,) = struct.unpack_from("<Q", data, at)
        return data[at + 8 : at + 8 + length].decode("utf-8", "replace"), at + 8 + length

    def read_value(kind, at):
        if kind == 8:
            return read_string(at)
        if kind == 9:
            item_kind, count = struct.unpack_from("<IQ", data, at)
            at += 12
            items = []
            for _ in range(count):
                item, at = read_value(item_kind, at)
                items.append(item)
            return items, at
        fmt = _GGUF_SCALARS[kind]
        return struct.unpack_from(fmt, data, at)[0], at + struct.calcsize(fmt)

    for _ in range(kv_count):
        key, offset = read_string(offset)
        (kind,) = struct.unpack_from("<I", data, offset)
        offset += 4
        value, offset = read_value(kind, offset)
        if key == "tokenizer.ggml.tokens":
            return value
    raise ValueError(f"{path} has no tokenizer.ggml.tokens")


def newline_token_mask(vocab_path: str | None, vocab_size: int) -> np.ndarray:
    """Boolean mask over token ids: True where the token's text contains a newline."""
    mask = np.zeros(vocab_size, dtype=bool)
    if vocab_path and os.path.exists(vocab_path):
        for i, text in enumerate(read_gguf_tokens(vocab_path)[:vocab_size]):
            if "\u010a" in text:
                mask[i] = True
    return mask


# --- documents -> pieces ------------------------------------------------------------------------


def make_pieces(split: Split, context: int, newline: np.ndarray | None = None) -> np.ndarray:
    """Cuts each document's body into pieces that fit one training row with
    their header and the FIM markers, so a FIM sample's prefix, suffix and
    middle are seen together. Cuts move back to the start of their line when
    one is near, so a piece (which gets the file's header again) starts like a
    file does. Rows: (doc index, body start, body end, is last piece)."""
    rows = []
    for index, (start, count, header) in enumerate(split.docs):
        body = int(count) - int(header) - 1  # without header and <|endoftext|>
        if body <= 0:
            continue
        room = max(32, context - int(header) - 4)  # 3 FIM markers + <|endoftext|>
        # Even cuts at most 4/5 of the room apart; moving a cut back by less than
        # 1/5 of the room then keeps every piece within the room.
        pieces = -(-body // (room * 4 // 5)) if body > room else 1
        bounds = np.linspace(0, body, pieces + 1).round().astype(np.int64)
        if pieces > 1 and newline is not None and newline.any():
            first = int(start) + int(header)
            line_starts = np.flatnonzero(newline[split.tokens[first : first + body - 1]]) + 1
            for b in range(1, pieces):
                # The last line start at or before the cut, if it is less than 1/5 of the room back.
                at = np.searchsorted(line_starts, bounds[b], side="right") - 1
                if at >= 0 and bounds[b] - line_starts[at] < room // 5 and line_starts[at] > bounds[b - 1]:
                    bounds[b] = line_starts[at]
        for p in range(pieces):
            rows.append((index, bounds[p], bounds[p + 1], p == pieces - 1))
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


@dataclass(frozen=True)
class FimSettings:
    rate: float = 0.5        # share of pieces turned into FIM samples
    spm_rate: float = 0.5    # of those, share in suffix-prefix-middle order
    line_rate: float = 0.5   # of those, share whose middle is whole lines


def build_sample(split: Split, piece, specials: Specials, newline: np.ndarray, fim: FimSettings, rng: np.random.Generator):
    """The token sequence (and per-token kinds) one piece becomes."""
    parts = sample_parts(split, piece, newline, fim, rng)
    if parts["order"] == "plain":
        tokens = np.concatenate([parts["header"], parts["body"]] + ([np.array([specials.endoftext])] if parts["last"] else []))
        return tokens, np.full(len(tokens), KIND_PLAIN, dtype=np.int8)
    return assemble_fim(parts, specials)


def sample_parts(split: Split, piece, newline: np.ndarray, fim: FimSettings, rng: np.random.Generator) -> dict:
    """Decides what a piece becomes: plain, or FIM with its prefix/middle/suffix and order."""
    doc, lo, hi, last = (int(v) for v in piece)
    start, _count, header_len = (int(v) for v in split.docs[doc])
    header = split.tokens[start : start + header_len]
    body = split.tokens[start + header_len + lo : start + header_len + hi]
    if rng.random() >= fim.rate or len(body) < 2:
        return {"order": "plain", "header": header, "body": body, "last": bool(last)}
    a, b = _split_points(body, newline, fim.line_rate, rng)
    order = "spm" if rng.random() < fim.spm_rate else "psm"
    return {"order": order, "header": header, "prefix": body[:a], "middle": body[a:b], "suffix": body[b:]}


def assemble_fim(parts: dict, specials: Specials):
    """A FIM sample exactly as the engine prompts a StarCoder model (src/engine/fim/templates.ts),
    followed by the middle and <|endoftext|>."""
    P, S, M = (np.array([t]) for t in (specials.fim_prefix, specials.fim_suffix, specials.fim_middle))
    header, prefix, suffix = parts["header"], parts["prefix"], parts["suffix"]
    if parts["order"] == "spm":
        # <fim_prefix><fim_suffix>suffix<fim_middle>[header]prefix middle<|endoftext|>
        context = [P, S, suffix, M, header, prefix]
    else:
        # <fim_prefix>[header]prefix<fim_suffix>suffix<fim_middle>middle<|endoftext|>
        context = [P, header, prefix, S, suffix, M]
    context_tokens = np.concatenate(context)
    answer = np.concatenate([parts["middle"], np.array([specials.endoftext])])
    tokens = np.concatenate([context_tokens, answer])
    kinds = np.concatenate([np.full(len(context_tokens), KIND_CONTEXT, np.int8), np.full(len(answer), KIND_MIDDLE, np.int8)])
    return tokens, kinds


def _split_points(body: np.ndarray, newline: np.ndarray, line_rate: float, rng: np.random.Generator) -> tuple[int, int]:
    n = len(body)
    # Positions right after a token containing a newline: the starts of lines.
    line_starts = np.flatnonzero(newline[body[:-1]]) + 1
    if len(line_starts) >= 1 and rng.random() < line_rate:
        # A middle of a few whole lines, as when completing the next line(s)
        # at the start of a line. Number of lines: 1 + geometric, mostly 1-3.
        bounds = np.concatenate([[0], line_starts, [n]])
        first = int(rng.integers(0, len(bounds) - 1))
        lines = int(min(rng.geometric(0.4), 8))
        return int(bounds[first]), int(bounds[min(first + lines, len(bounds) - 1)])
    # Two uniform token positions (the StarCoder/bigcode recipe, at token level):
    # the middle may start and end inside a line.
    a, b = sorted(int(x) for x in rng.integers(0, n + 1, size=2))
    return a, b


class Packer:
    """Streams samples in a shuffled order, epoch after epoch, and cuts the
    stream into rows of context + 1 tokens (inputs and shifted targets)."""

    def __init__(self, split: Split, specials: Specials, newline: np.ndarray, context: int, seed: int, fim: FimSettings, state: dict | None = None):
        self.split, self.specials, self.newline, self.fim = split, specials, newline, fim
        self.context, self.seed = context, seed
        self.pieces = make_pieces(split, context, newline)
        if len(self.pieces) == 0:
            raise ValueError("no documents with a body in this split")
        state = state or {}
        self.epoch = int(state.get("epoch", 0))
        self.cursor = int(state.get("cursor", 0))
        self.next_doc_id = int(state.get("next_doc_id", 0))
        self.buffer = np.array(state.get("buffer", []), dtype=np.int64)
        self.buffer_docs = np.array(state.get("buffer_docs", []), dtype=np.int64)
        self.buffer_kinds = np.array(state.get("buffer_kinds", []), dtype=np.int8)
        self._order_epoch, self._order = None, None

    def state(self) -> dict:
        return {
            "epoch": self.epoch,
            "cursor": self.cursor,
            "next_doc_id": self.next_doc_id,
            "buffer": self.buffer.tolist(),
            "buffer_docs": self.buffer_docs.tolist(),
            "buffer_kinds": self.buffer_kinds.tolist(),
        }

    def _order_for(self, epoch: int) -> np.ndarray:
        if self._order_epoch != epoch:
            self._order = np.random.default_rng([self.seed, epoch]).permutation(len(self.pieces))
            self._order_epoch = epoch
        return self._order

    def _next_sample(self):
        order = self._order_for(self.epoch)
        index = int(order[self.cursor])
        rng = np.random.default_rng([self.seed, self.epoch, index, 1])
        tokens, kinds = build_sample(self.split, self.pieces[index], self.specials, self.newline, self.fim, rng)
        self.cursor += 1
        if self.cursor >= len(order):
            self.epoch, self.cursor = self.epoch + 1, 0
        doc_id = self.next_doc_id
        self.next_doc_id = (self.next_doc_id + 1) % (1 << 30)
        return tokens, np.full(len(tokens), doc_id, dtype=np.int64), kinds

    def next_batch(self, batch_size: int):
        """(tokens, doc_ids, kinds), each (batch, context + 1). Rows overlap by one
        token so every token of the stream is a target exactly once."""
        need = batch_size * self.context + 1
        parts, doc_parts, kind_parts = [self.buffer], [self.buffer_docs], [self.buffer_kinds]
        have = len(self.buffer)
        while have < need:
            tokens, docs, kinds = self._next_sample()
            parts.append(tokens)
            doc_parts.append(docs)
            kind_parts.append(kinds)
            have += len(tokens)
        stream, docs, kinds = np.concatenate(parts), np.concatenate(doc_parts), np.concatenate(kind_parts)
        rows = np.lib.stride_tricks.sliding_window_view(stream[:need], self.context + 1)[:: self.context]
        row_docs = np.lib.stride_tricks.sliding_window_view(docs[:need], self.context + 1)[:: self.context]
        row_kinds = np.lib.stride_tricks.sliding_window_view(kinds[:need], self.context + 1)[:: self.context]
        keep = need - 1  # the last token of this batch starts the next one
        self.buffer, self.buffer_docs, self.buffer_kinds = stream[keep:], docs[keep:], kinds[keep:]
        return rows.copy(), row_docs.copy(), row_kinds.copy()
