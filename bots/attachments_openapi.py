"""The files part of the OpenAPI document (``bots.openapi``): a ticket's files, one
file's bytes, and answering with an image, which is base64 in a JSON body (not
multipart): every other operation of the API takes JSON, and so can a console."""

from __future__ import annotations

from typing import Any

from handlers.attachments import ACCEPTED

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_WHY = {
    "400": "the request is malformed (the error names the field or parameter)",
    "401": "no valid bearer token",
    "403": "the caller's role or tier does not allow it, or the ticket is not claimed",
    "404": "no such ticket or file",
    "409": "the ticket is resolved, or its platform cannot receive images",
    "413": "the image is larger than [attachments] max_bytes",
    "415": "the data is not a PNG, JPEG or WebP image (checked by its content)",
}


def _responses(ok: str, content: dict[str, Any], *errors: str) -> dict[str, Any]:
    responses: dict[str, Any] = {ok: {"description": "done", "content": content}}
    for status in sorted({"400", "401", "403", *errors}):
        responses[status] = {
            "description": _WHY[status],
            "content": {"application/json": {"schema": _ERROR}},
        }
    return responses


def attachment_paths(ticket: list[dict[str, Any]], number: dict[str, Any]) -> dict[str, Any]:
    """The paths; ``ticket`` is the ticket id parameter, ``number`` an id's schema."""
    json_object = {"application/json": {"schema": {"type": "object"}}}
    answer = {
        "type": "object",
        "properties": {
            "ticket_id": number,
            "data": {
                "type": "string",
                "contentEncoding": "base64",
                "description": "the image (PNG, JPEG or WebP), base64 with padding",
            },
            "name": {"type": "string", "maxLength": 200, "description": "its file name"},
            "text": {"type": "string", "description": "words sent before the image"},
        },
        "required": ["ticket_id", "data"],
        "additionalProperties": False,
    }
    binary = {mime: {"schema": {"type": "string", "format": "binary"}} for mime in ACCEPTED}
    agent = {"security": [{"bearer": []}], "x-role": "agent"}
    return {
        "/api/tickets/{id}/attachments": {
            "parameters": ticket,
            "get": {
                **agent,
                "summary": "The files of the ticket's conversation (users' and agents'), "
                "oldest first, without their bytes",
                "responses": _responses("200", json_object, "404"),
            },
        },
        "/api/attachments/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": number}],
            "get": {
                **agent,
                "summary": "A file's bytes, typed by its checked content; images inline, "
                "other files as a download",
                "responses": _responses("200", binary, "404"),
            },
        },
        "/api/attachments": {
            "post": {
                **agent,
                "summary": "Answer a claimed ticket with an image (a screenshot): the text "
                "first, then the image, on the user's platform",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": answer}},
                },
                "responses": _responses("202", json_object, "404", "409", "413", "415"),
            }
        },
    }
