"""The global search (the menu's search box and ``/search/``): customers, contacts, journals,
weekly reports and comments, each kind read through its model's ``visible_to(scope)``
(docs/architecture.md, Conventions, "Services and selectors"). It lives in the composition
root because it reads every app; the apps know nothing of it.

- :mod:`salesops.search.terms`: the query as typed -> keyword, dates, notes for the user;
  highlighting;
- :mod:`salesops.search.kinds`: one scoped query per kind, its count and one page of hits;
- :mod:`salesops.search.views`: the results page and the menu's live suggestions.
"""
