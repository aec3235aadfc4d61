"""Test set-up: an account as a person would get it, in one call.

``enrolled_user(uow, actor, data)`` takes the place of the old
``users.add_user`` with a password: the administrator creates the account
(one-time code), the person enrols with ``data.password``, and the session
that created the store confirms it (it holds the recovery key's authority).
``uow`` must come from that founding session."""

from __future__ import annotations

import dataclasses

from trefas_app.services import accounts, users


def enrolled_user(uow, actor, data: users.UserInput, confirm: bool = True):
    store = uow.store
    view = users.add_user(uow, actor, dataclasses.replace(data, password=""))
    accounts.enrol_account(store.paths.root, view.username, view.enrolment_code, data.password,
                           clock=store.clock)
    if confirm and data.role != users.Role.ADMINISTRATOR:
        accounts.confirm_at_setup(store, view.username)
    return view
