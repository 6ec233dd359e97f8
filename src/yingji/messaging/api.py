"""/api/v1/inbox: the caller's own messages, and marking one read."""

from __future__ import annotations

import datetime

from ninja import Router, Schema

from yingji.core.api import page_of
from yingji.messaging import services

router = Router(tags=["inbox"])


class MessageOut(Schema):
    id: int
    template: str
    subject: str
    body: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class InboxPage(Schema):
    items: list[MessageOut]
    count: int
    page: int
    page_size: int
    unread: int


def serialize(message) -> dict:
    return {
        "id": message.pk,
        "template": message.template,
        "subject": message.subject,
        "body": message.body,
        "created_at": message.created_at,
        "read_at": message.read_at,
    }


@router.get("", response=InboxPage, summary="My messages, newest first (?unread=true for unread only)")
def inbox(request, unread: bool = False):
    messages = services.inbox(request.user)
    if unread:
        messages = messages.filter(read_at__isnull=True)
    return {**page_of(messages, request, serialize), "unread": services.unread_count(request.user)}


@router.post("/{message_id}/read", response=MessageOut, summary="Mark one of my messages read")
def mark_read(request, message_id: int):
    return serialize(services.mark_read(message_id, actor=request.user))
