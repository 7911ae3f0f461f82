"""Pictures of networks and what they learn, with NumPy and the standard library only.

- ``png``: PNG and animated PNG files, written and read back.
- ``font``: a 5x9 bitmap font with descenders and ``draw_text``.
- ``colours`` and ``canvas``: class colours, heat ramps, and a Canvas that
  records where its text went.
- ``figures``: decision regions, slices of a cube, cost curves, titles; the
  picture of ``main_load.py --plot``.
- ``neurons``: every neuron's activation over the input plane, and a first
  layer's weights as images (``--neurons``).
- ``network``: the network as columns of neurons joined by its weights, laid
  out first and drawn second (``--network``).
- ``animation``: snapshots of a network taken while it trains, and the
  animated PNG made from them (``--animate``).
- ``terminal``: decision regions as ASCII text for the terminal.
- ``images``: a problem whose inputs are an image (digits): its test images
  with the predicted classes, the confusion matrix as a heat map (``--plot``),
  and one image as shaded text for the terminal.
- ``titles``: what a title says: the network, its cost, its measured accuracy.

Nothing here changes a network: pictures read weights and call predict.
"""
