"""`rnnlab predict`: continue a saved forecaster on new data, without training.

  rnnlab forecast --csv sales.csv --save models/sales      # check, train on all, save
  rnnlab predict --model models/sales --csv sales_new.csv   # H steps after each series' end

The saved folder (rnnlab/core/modelfile.py) holds the networks and how the data was read: the id,
date and value columns, the frequency and season, the calendar features and future columns, and
the interval half-widths the forecast's backtest calibrated. The new file is read the same way
(flags given here win); the forecast starts after the last value of each of its series.

A global model (direct, recursive, seq2seq) forecasts any series, the ones it was trained on with
more history or new ones. A local model (--strategy local) holds one network per series, with
that series' scaler: it forecasts only the series it was trained on, matched by id.
Output: forecast.csv (unique_id, ds, yhat and the 80%/95% bounds) in --out, or on stdout.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from rnnlab.commands import common

KIND = "forecaster"  # modelfile kind
SAVED_BY = "'rnnlab forecast ... --save DIR'"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="forecast new data with a model saved by 'rnnlab forecast --save'",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, required=True, help="folder written by --save")
    group = parser.add_argument_group("input (default: as the model was trained)")
    group.add_argument("--csv", type=Path, default=None, help="the new data (CSV or Parquet)")
    group.add_argument("--data", default=None, help="a built-in dataset instead of --csv")
    group.add_argument("--id-col", default=None, help="series id column of a long-format file")
    group.add_argument("--date-col", default=None, help="date column")
    group.add_argument("--value-col", default=None, help="value column")
    group.add_argument("--fill", choices=("interpolate", "ffill"), default=None,
                       help="fill gaps and missing values instead of refusing them")  # fmt: skip
    group.add_argument("--future-csv", type=Path, default=None,
                       help="values of the model's --future-cols for the horizon")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: stdout)")
    parser.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    common.add_common_args(parser)
    parser.set_defaults(run=run)


# ---------------------------------------------------------------------------- saving


def save_forecaster(folder: Path, model, args, panel, horizon: int, halfwidths: dict) -> None:
    """The fitted `tasks.forecast.Model` as a model folder: the networks, how the data was read
    (the schema `rnnlab predict` reads new data by) and the calibrated interval half-widths."""
    if args.strategy == "local":
        tensors, networks = local_state(model.fitted_, panel.ids)
    else:
        tensors, meta = model.fitted_.state()
        networks = {"global": meta}
    schema = reading_schema(args, panel) | {
        "calendar": bool(args.calendar),
        "future_cols": args.future_cols,
    }
    save_model(folder, tensors, networks, args.strategy, horizon, schema, halfwidths, args)


def local_state(forecasters: list, ids) -> tuple[dict, dict]:
    """Tensors and metadata of per-series Forecasters, series i's tensors as "s{i}.{name}"."""
    states = [f.state() for f in forecasters]
    tensors = {f"s{i}.{name}": v for i, (t, _) in enumerate(states) for name, v in t.items()}
    return tensors, {"local": [m | {"id": str(ids[i])} for i, (_, m) in enumerate(states)]}


def reading_schema(args, panel) -> dict:
    """How the training data was read, for `rnnlab predict` to read new data the same way."""
    return {
        "source": panel.source,
        "id_col": getattr(args, "id_col", None),
        "date_col": args.date_col,
        "value_col": args.value_col,
        # a built-in dataset by name (the default one too: its source is "builtin:NAME")
        "data": None if args.csv is not None else panel.source.removeprefix("builtin:"),
        "freq": panel.freq,
        "season": panel.season,
        "series": [str(i) for i in panel.ids[:1000]],
    }


def save_model(folder, tensors, networks, strategy, horizon, schema, halfwidths, args) -> None:
    from rnnlab.core import modelfile

    meta = {
        "strategy": strategy,
        "horizon": horizon,
        "schema": schema,
        "intervals": {str(k): [float(x) for x in v] for k, v in halfwidths.items()},
        "trained_by": "rnnlab " + shlex.join(args.argv),
        **networks,
    }
    modelfile.save(folder, tensors, KIND, meta)


# -------------------------------------------------------------------------- predicting


class LocalForecasters:
    """The networks of a --strategy local model, one per series id, with `predict(panel)`."""

    def __init__(self, by_id: dict, horizon: int):
        self.by_id, self.horizon = by_id, horizon

    def predict(self, panel):
        """Forecasts (n, H) from the end of each series of `panel`, each by its own network."""
        import numpy as np

        if len(self.by_id) == 1 and len(panel) == 1:  # one series: whatever the file calls it
            return self.by_id[next(iter(self.by_id))].forecast(panel.series(0), self.horizon)[None]
        unknown = [str(i) for i in panel.ids if str(i) not in self.by_id]
        if unknown:
            raise common.RnnlabError(
                f"series {unknown[0]!r} is not one this local model was trained on ("
                f"{len(self.by_id)} series, one network each); train a global model to forecast "
                "new series"
            )
        return np.stack(
            [
                self.by_id[str(sid)].forecast(panel.series(i), self.horizon)
                for i, sid in enumerate(panel.ids)
            ]
        )


def load_forecaster(folder: Path):
    """(fitted, metadata) of a saved forecaster: a GlobalForecaster or LocalForecasters, both
    with `predict(panel) -> (n, H)`."""
    from rnnlab.core import modelfile

    tensors, meta = modelfile.read(folder, KIND, SAVED_BY)
    try:
        if "global" in meta:
            from rnnlab.forecast.global_model import GlobalForecaster

            return GlobalForecaster.from_state(tensors, meta["global"], folder), meta
        from rnnlab.forecast.local import Forecaster

        by_id = {
            s["id"]: Forecaster.from_state(tensors, s, folder, prefix=f"s{i}.")
            for i, s in enumerate(meta["local"])
        }
        return LocalForecasters(by_id, int(meta["horizon"])), meta
    except (KeyError, TypeError, ValueError) as err:
        raise common.RnnlabError(
            f"{folder}: {modelfile.META} does not describe a forecaster ({type(err).__name__}: "
            f"{str(err)[:120]}); save it again with {SAVED_BY}"
        ) from None


def _reading_args(args: argparse.Namespace, meta: dict) -> argparse.Namespace:
    """The options tasks.forecast reads a panel with: the saved schema, overridden by flags."""
    schema = meta["schema"]
    given = {k: getattr(args, k) for k in ("id_col", "date_col", "value_col")}
    read = argparse.Namespace(
        csv=args.csv,
        data=args.data if args.csv is None else None,
        id_col=given["id_col"] or schema.get("id_col") or "unique_id",
        date_col=given["date_col"] or schema.get("date_col"),
        value_col=given["value_col"] or schema.get("value_col"),
        season=schema.get("season"),
        fill=args.fill,
        future_cols=schema.get("future_cols"),
        future_csv=args.future_csv,
        calendar=schema.get("calendar", False),
        strategy=meta["strategy"],
    )
    if read.csv is None and read.data is None:
        read.data = schema.get("data")
        if read.data is None:
            raise common.RnnlabError("give the new data with --csv FILE (or --data NAME)")
    return read


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from rnnlab.commands.forecast import add_covariates, load_panel
    from rnnlab.forecast.intervals import intervals, series_scales

    if args.out is not None:
        common.check_replaceable(args.out, args.force)
    fitted, meta = load_forecaster(args.model)
    read = _reading_args(args, meta)
    panel = add_covariates(read, load_panel(read), int(meta["horizon"]))
    saved_freq = meta["schema"].get("freq")
    if saved_freq != panel.freq:
        raise common.RnnlabError(
            f"the model was trained on data of frequency {saved_freq}; {panel.source} has "
            f"{panel.freq}: give data at the model's frequency"
        )
    import torch

    torch.set_num_threads(1)
    future = fitted.predict(panel)  # (n, H)
    horizon = future.shape[1]
    scales = series_scales([panel.series(i) for i in range(len(panel))], panel.season)
    halfwidths = {k: np.asarray(v) for k, v in meta.get("intervals", {}).items()}
    bands = intervals(future, scales, halfwidths)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(panel.ids, horizon),
            "ds": np.concatenate([np.asarray(d) for d in panel.future(horizon)]),
            "yhat": future.ravel(),
            **{name: band.ravel() for name, band in bands.items()},
        }
    )
    if not np.isfinite(future).all():
        raise common.RnnlabError(
            f"the model's forecasts for {panel.source} are not finite: the new data lies far "
            "outside what it was trained on"
        )
    if args.out is None:
        frame.to_csv(sys.stdout, index=False, float_format="%.6g")
        return 0
    from rnnlab.core.report import write_json

    with common.run_directory(args.out, args.force) as tmp:
        frame.to_csv(tmp / "forecast.csv", index=False, float_format="%.6g")
        config = common.run_config(args, "predict") | {
            "model": str(args.model),
            "model_trained_by": meta.get("trained_by"),
            "data": panel.source,
            "series": len(panel),
            "horizon": horizon,
        }
        write_json(tmp / "config.json", config)
    if not args.quiet:
        print(
            f"forecast {horizon} steps for {len(panel)} series from {panel.source} with "
            f"{args.model}: {args.out / 'forecast.csv'}"
        )
    return 0
