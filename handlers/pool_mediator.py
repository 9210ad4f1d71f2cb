"""Who mediated: the pool mediator (调解员资源库) linked to the user who completed 组织调解."""

from __future__ import annotations

from sqlalchemy import select


def handle(params: dict, ctx) -> dict:
    """The active pool mediator whose account is ``username``, or ``mediator_id`` None and the reason."""
    username = params.get("username")
    none = {"mediator_id": None, "name": None, "gold": False, "username": username}
    if not username:
        return none | {"reason": "无调解员组织调解 no pool mediator mediated this case"}
    User, Mediator = ctx.models.User, ctx.models.Mediator
    mediator = ctx.session.scalars(
        select(Mediator).join(User, Mediator.user_id == User.id)
        .where(User.username == username, Mediator.active.is_(True)).order_by(Mediator.id)).first()
    if mediator is None:
        return none | {"reason": f"组织调解的 {username} 不在调解员库 {username} is not a mediator in the pool"}
    return {"mediator_id": mediator.id, "name": mediator.name, "gold": bool(mediator.gold),
            "username": username, "reason": None}
