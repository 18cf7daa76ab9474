"""The small core of Sổ tay đảng viên: everything feature plugins stand on."""
from core.app import create_app

__all__ = ["create_app"]
