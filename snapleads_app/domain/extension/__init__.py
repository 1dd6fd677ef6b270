"""What the Chrome extension asks the CRM besides the import itself: its context and known profiles."""
