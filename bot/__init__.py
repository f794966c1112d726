"""newsbot: a French-language news site on Telegram."""

__version__ = "0.1.0"
