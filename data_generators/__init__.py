"""The five problems' definitions and data generators.

``definition_of_<name>.py`` states, as code, which inputs belong to which class
of one problem (``label``), draws balanced, seeded datasets from it
(``generate``) and, run as a script, writes the problem's data file under
``data/`` (``main``). The problems' files, keys and class names are in
``src.problems``; writing and loading data files is ``src.datasets``.
"""
