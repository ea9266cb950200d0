"""The text room: a character-level language model you can train, sample, score and look inside.

    from rnnlab.text import CharModel, read_text
    text, _ = read_text(None)                     # Python's own documentation, 0.8 MB
    model = CharModel(hidden=64, layers=1, steps=200).fit(text)
    model.sample(100, prompt="The ")              # 100 characters after "The "
    model.evaluate(text[-5000:])["bits_per_char"]

charlm.py     the vocabulary and the network (embedding, stacked RNN/LSTM/GRU, read-out)
training.py   truncated BPTT in a time or step budget, checkpoints, evaluation in nats/char
sampling.py   one-to-many: a prompt in, characters drawn one at a time and fed back
saved.py      model folders and checkpoints
estimator.py  CharModel, the Python API (scikit-learn's conventions); the CLI uses it
corpus.py     reading a text file (or the corpus that ships with Python)
explain.py    which neurons track what, and the page that shows it
pipeline.py, report.py, plots.py   what the textgen commands do with files and write

Names are imported lazily: `import rnnlab.text` does not load torch.
"""

from rnnlab.core.lazy import lazy_exports

_EXPORTS = {
    "CharModel": "rnnlab.text.estimator",
    "read_text": "rnnlab.text.corpus",
    "DEFAULT_CORPUS": "rnnlab.text.corpus",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports("rnnlab.text", _EXPORTS)
