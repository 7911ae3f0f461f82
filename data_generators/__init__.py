"""The problems: one file per problem, its definition and everything the scripts need to know.

``definition_of_<name>.py`` holds ``PROBLEM`` (its data file, JSON keys, input
names and domain, class or target names), states as code which inputs belong
to which class (``label``; for a regression, the noise-free target), draws
seeded datasets from it (``generate``) and, run as a script, writes the
problem's data file under ``data/`` (``main``, the command line every
generator shares: ``src.cli.generator_main``). ``src.problems`` finds every
such file; writing and loading data files is ``src.datasets``.
"""
