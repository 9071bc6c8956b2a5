"""BERT's tokenizer, as google-research/bert's `tokenization.py` defines it.

`FullTokenizer` runs two steps: `BasicTokenizer` (clean the text, put spaces around CJK
characters, split on white space, lower-case and strip accents for an uncased model, split
off every punctuation character), then `WordpieceTokenizer` (greedy longest-match-first
against `vocab.txt`, continuation pieces prefixed with `##`, `[UNK]` for a word it cannot
cover). Pure Python, as the original: it runs outside the graph, and its ids are fed.
"""

from __future__ import annotations

import collections
import unicodedata
from pathlib import Path

import numpy as np


def load_vocab(vocab_file: str | Path) -> collections.OrderedDict[str, int]:
    """`vocab.txt`: one token a line; a token's id is its line number."""
    vocab: collections.OrderedDict[str, int] = collections.OrderedDict()
    with open(vocab_file, encoding="utf-8") as reader:
        for index, line in enumerate(reader):
            vocab[line.rstrip("\n")] = index
    return vocab


def whitespace_tokenize(text: str) -> list[str]:
    return text.strip().split()


class FullTokenizer:
    """Basic tokenization, then WordPiece."""

    def __init__(self, vocab_file: str | Path, do_lower_case: bool = True):
        self.vocab = load_vocab(vocab_file)
        self.inv_vocab = {index: token for token, index in self.vocab.items()}
        self.basic_tokenizer = BasicTokenizer(do_lower_case=do_lower_case)
        self.wordpiece_tokenizer = WordpieceTokenizer(vocab=self.vocab)

    def tokenize(self, text: str) -> list[str]:
        return [piece for token in self.basic_tokenizer.tokenize(text)
                for piece in self.wordpiece_tokenizer.tokenize(token)]

    def convert_tokens_to_ids(self, tokens: list[str]) -> list[int]:
        return [self.vocab[token] for token in tokens]

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [self.inv_vocab[index] for index in ids]


class BasicTokenizer:
    """Punctuation splitting, lower-casing and accent stripping."""

    def __init__(self, do_lower_case: bool = True):
        self.do_lower_case = do_lower_case

    def tokenize(self, text: str) -> list[str]:
        text = self._clean_text(text)
        text = self._tokenize_chinese_chars(text)
        split_tokens = []
        for token in whitespace_tokenize(text):
            if self.do_lower_case:
                token = self._run_strip_accents(token.lower())
            split_tokens.extend(self._run_split_on_punc(token))
        return whitespace_tokenize(" ".join(split_tokens))

    @staticmethod
    def _run_strip_accents(text: str) -> str:
        return "".join(char for char in unicodedata.normalize("NFD", text)
                       if unicodedata.category(char) != "Mn")

    @staticmethod
    def _run_split_on_punc(text: str) -> list[str]:
        output: list[list[str]] = []
        start_new_word = True
        for char in text:
            if _is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
        return ["".join(chars) for chars in output]

    def _tokenize_chinese_chars(self, text: str) -> str:
        return "".join(f" {char} " if _is_chinese_char(ord(char)) else char for char in text)

    @staticmethod
    def _clean_text(text: str) -> str:
        output = []
        for char in text:
            codepoint = ord(char)
            if codepoint == 0 or codepoint == 0xFFFD or _is_control(char):
                continue
            output.append(" " if _is_whitespace(char) else char)
        return "".join(output)


class WordpieceTokenizer:
    """Greedy longest-match-first WordPiece."""

    def __init__(self, vocab: dict[str, int], unk_token: str = "[UNK]",
                 max_input_chars_per_word: int = 200):
        self.vocab = vocab
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word

    def tokenize(self, text: str) -> list[str]:
        output_tokens = []
        for token in whitespace_tokenize(text):
            chars = list(token)
            if len(chars) > self.max_input_chars_per_word:
                output_tokens.append(self.unk_token)
                continue
            is_bad, start, sub_tokens = False, 0, []
            while start < len(chars):
                end, current = len(chars), None
                while start < end:
                    piece = "".join(chars[start:end])
                    if start > 0:
                        piece = "##" + piece
                    if piece in self.vocab:
                        current = piece
                        break
                    end -= 1
                if current is None:
                    is_bad = True
                    break
                sub_tokens.append(current)
                start = end
            output_tokens.extend([self.unk_token] if is_bad else sub_tokens)
        return output_tokens


def convert_single_example(text: str, max_seq_length: int,
                           tokenizer: FullTokenizer) -> tuple[list[int], list[int], list[int]]:
    """`run_classifier.py`'s features of one sentence: [CLS] tokens [SEP], truncated to
    `max_seq_length`, zero-padded; returns input ids, input mask and segment ids."""
    tokens = tokenizer.tokenize(text)[:max_seq_length - 2]
    tokens = ["[CLS]", *tokens, "[SEP]"]
    input_ids = tokenizer.convert_tokens_to_ids(tokens)
    input_mask = [1] * len(input_ids)
    padding = [0] * (max_seq_length - len(input_ids))
    return input_ids + padding, input_mask + padding, [0] * max_seq_length


def features(texts: list[str], max_seq_length: int,
             tokenizer: FullTokenizer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Input ids, input mask and segment ids of many sentences, as int32 arrays."""
    rows = [convert_single_example(text, max_seq_length, tokenizer) for text in texts]
    return tuple(np.array([row[i] for row in rows], dtype="int32") for i in range(3))


def _is_whitespace(char: str) -> bool:
    if char in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    codepoint = ord(char)
    # Every non-letter, non-digit ASCII character counts (BERT splits "$" and "^" too).
    if 33 <= codepoint <= 47 or 58 <= codepoint <= 64 or 91 <= codepoint <= 96 \
            or 123 <= codepoint <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_chinese_char(codepoint: int) -> bool:
    return any(low <= codepoint <= high for low, high in (
        (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)))
