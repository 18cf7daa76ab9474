"""Settings set on an organisation and inherited by everything below it."""
from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.org.models import OrgClosure, OrgSetting


def get_setting(org_id: int, namespace: str, key: str, default=None):
    """The value set on `org_id` or its nearest ancestor, else `default`."""
    stmt = (select(OrgSetting.value)
            .join(OrgClosure, OrgClosure.ancestor_id == OrgSetting.org_id)
            .where(OrgClosure.descendant_id == org_id, OrgSetting.namespace == namespace,
                   OrgSetting.key == key)
            .order_by(OrgClosure.depth).limit(1))
    value = db.session.scalar(stmt)
    return default if value is None else value


def set_setting(org_id: int, namespace: str, key: str, value) -> None:
    row = db.session.get(OrgSetting, (org_id, namespace, key))
    if row is None:
        db.session.add(OrgSetting(org_id=org_id, namespace=namespace, key=key, value=value))
    else:
        row.value = value
