"""What a textgen run writes and says: the model folder, metrics.json, report.html, the page
that explains the neurons, and the one-line summary before training."""

from __future__ import annotations

import html
import math
from dataclasses import asdict
from pathlib import Path

SAMPLE = {"length": 600, "prompt": "\n", "temperature": 0.8}  # the sample in a run's report


def training_summary(model) -> str:
    """One line before the first step: the data, the network and the budget."""
    weights = sum(p.numel() for p in model.model_.parameters())
    budget = f"{model.steps} steps" if model.steps else f"{model.minutes:g} min"
    return (
        f"textgen: {model.source_}, {model.train_chars_:,} characters to train on, "
        f"{model.val_chars_:,} held out; {len(model.vocab_.chars)} distinct; {model.cell} "
        f"{model.layers} x {model.hidden} ({weights:,} weights); {budget}"
    )


def train_metrics(model) -> dict:
    """metrics.json of a fitted CharModel: the best validation loss and the learning curve."""
    return {
        "val_nats_per_char": round(model.best_val_, 4),
        "val_bits_per_char": round(model.best_val_ / math.log(2), 4),
        "best_step": model.best_step_,
        "steps": model.steps_,
        "seconds": round(model.seconds_, 1),
        "train_chars": model.train_chars_,
        "val_chars": model.val_chars_,
        "vocabulary": len(model.vocab_.chars),
        "curve": model.history_.to_dict("records"),
    }


def write_train_run(folder: Path, model, config: dict) -> tuple[dict, str]:
    """Write a fitted CharModel's run into `folder`, a run folder being written: the model
    folder's files, metrics.json, config.json (`config` with the data, network and loop
    settings added), sample.txt, curve.png and report.html. Returns the metrics and the sample."""
    from rnnlab.core.figures import save_figure
    from rnnlab.core.report import html_page, write_json
    from rnnlab.text.plots import plot_text_curve

    folder = Path(folder)
    sample = model.sample(seed=model.seed, **SAMPLE)
    metrics = train_metrics(model)
    config = {
        **config,
        "data": model.source_,
        "model": asdict(model.model_.config),
        "train": asdict(model.train_config()),
    }
    model.save(folder)  # first: a model folder is saved into an empty folder
    write_json(folder / "metrics.json", metrics)
    write_json(folder / "config.json", config)
    (folder / "sample.txt").write_text(sample, encoding="utf-8")
    save_figure(plot_text_curve(metrics["curve"]), folder / "curve.png")
    rows = "".join(
        f"<tr><td>{r['seconds']}</td><td>{r['step']}</td><td>{r['train_nats']:.3f}</td>"
        f"<td>{r['val_nats']:.3f}</td></tr>"
        for r in metrics["curve"]
    )
    summary = (
        f"<p>Validation loss <b>{metrics['val_nats_per_char']:.3f} nats per character</b> "
        f"({metrics['val_bits_per_char']:.3f} bits) on the last {metrics['val_chars']:,} "
        f"characters, after {metrics['steps']} steps in {metrics['seconds']:.0f} s; the weights "
        f"kept are those of step {metrics['best_step']}. A model that guessed uniformly among "
        f"the {metrics['vocabulary']} characters would score "
        f"{math.log(metrics['vocabulary']):.2f} nats.</p>"
        "<table><tr><th>seconds</th><th>step</th><th>train nats/char</th>"
        f"<th>validation nats/char</th></tr>{rows}</table>"
    )
    page = html_page(
        "rnnlab textgen train",
        [("Result", summary), ("A sample (temperature 0.8)", f"<pre>{html.escape(sample)}</pre>")],
        [("Learning curve", folder / "curve.png")],
        config,
    )
    (folder / "report.html").write_text(page, encoding="utf-8")
    return metrics, sample


def write_explain(folder: Path, explanation, config: dict) -> None:
    """neurons.json, config.json and report.html of `rnnlab textgen explain`."""
    from rnnlab.core.report import html_page, write_json

    folder = Path(folder)
    write_json(folder / "neurons.json", {"chosen": explanation.chosen, "found": explanation.found})
    write_json(folder / "config.json", config)
    page = html_page("rnnlab textgen explain", explanation.sections, [], config)
    (folder / "report.html").write_text(page, encoding="utf-8")
