"""The bilingual-label helpers live in ``accounts.labels`` (the lowest app layer, so every
app's models may build their choices from the domain package); re-exported here."""

from accounts.labels import choices_of, current_label, label_of, lazy_label

__all__ = ["choices_of", "current_label", "label_of", "lazy_label"]
