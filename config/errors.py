class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says what to do."""
