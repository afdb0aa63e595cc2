"""The binary frame format (docs/API.md "Binary frames"), for clients that ask for it with
``Accept: application/vnd.playground.frame``; everyone else gets JSON.

Layout: ``NPF1``, the length n of a JSON head (uint32, little-endian), n bytes of UTF-8
JSON, then the maps part. The head is the JSON answer, except that inside the frame each
map (a base64 string in JSON) is ``[offset, length]`` into the maps part, which holds the
maps' raw quantised bytes, concatenated in the order of the head.
"""

from __future__ import annotations

import struct
from typing import Any

import pydantic_core
from fastapi import Response

from . import serialize

MEDIA_TYPE = "application/vnd.playground.frame"
MAGIC = b"NPF1"
VARY = {"Vary": "Accept"}  # the answer's format depends on it (caches must know)

# For the OpenAPI document: the 200 answer's second media type.
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            MEDIA_TYPE: {
                "schema": {"type": "string", "format": "binary"},
                "description": "With `Accept: " + MEDIA_TYPE + "`: the same answer with its "
                "maps as raw bytes (docs/API.md, Binary frames).",
            }
        }
    }
}


def wanted(accept: str | None) -> bool:
    """The Accept header prefers the binary format: it names it (any case) with a
    quality above 0 and at least that of JSON (or of ``*/*``, ``application/*``)."""
    if not accept:
        return False
    quality: dict[str, float] = {}
    for item in accept.lower().split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media] = max(q, quality.get(media, 0.0))
    ours = quality.get(MEDIA_TYPE, 0.0)
    json = max(quality.get(m, 0.0) for m in ("application/json", "application/*", "*/*"))
    return ours > 0 and ours >= json


def response(answer: dict[str, Any], frame_key: str | None) -> Response:
    """The binary answer: ``answer`` holds a frame of ``serialize.frame_bytes`` at
    ``frame_key`` (it may be None), or is that frame itself (``frame_key`` None)."""
    return Response(encode(answer, frame_key), media_type=MEDIA_TYPE, headers=VARY)


def encode(answer: dict[str, Any], frame_key: str | None) -> bytes:
    parts: list[bytes] = []
    offset = 0

    def place(raw: bytes) -> list[int]:
        nonlocal offset
        parts.append(raw)
        offset += len(raw)
        return [offset - len(raw), len(raw)]

    if frame_key is None:
        head = serialize.with_maps(answer, place)
    elif answer[frame_key] is None:
        head = answer
    else:
        head = {**answer, frame_key: serialize.with_maps(answer[frame_key], place)}
    # As FastAPI's JSON answers: pydantic's serializer, non-finite numbers as null.
    text = pydantic_core.to_json(head, inf_nan_mode="null")
    return b"".join([MAGIC, struct.pack("<I", len(text)), text, *parts])
