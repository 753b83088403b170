"""aibox-ops' own deploy engine: every AWS call of a launch, none through the starter
toolkit (``launch.Launch``). One module per resource: ``memory``, ``ecr``, ``roles``
(documents in ``policies``), ``source``, ``build``, ``runtime``; ``names`` gives the
toolkit-compatible names."""
