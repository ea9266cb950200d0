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
import sys
from pathlib import Path

from rnnlab.commands import common


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


def forecast(args: argparse.Namespace):
    """(the forecast frame, the new data's panel) of the saved model on the new data."""
    from rnnlab.forecast import PanelForecaster, inputs, saved

    forecaster = PanelForecaster.load(args.model)
    read = saved.reading_options(
        forecaster.schema_, args.csv, args.data, args.id_col, args.date_col,
        args.value_col, args.fill,
    )  # fmt: skip
    if read["future_cols"] and args.future_csv is None:
        raise common.RnnlabError(
            "--future-cols needs --future-csv FILE with their values for the horizon"
        )
    if args.future_csv is not None and not read["future_cols"]:
        raise common.RnnlabError("--future-csv needs --future-cols naming its columns")
    panel = inputs.read_input(**read)
    frame = forecaster.predict(level=forecaster.levels_, df=panel, future_df=args.future_csv)
    return frame, panel, forecaster


def run(args: argparse.Namespace) -> int:
    if args.out is not None:
        common.check_replaceable(args.out, args.force)
    frame, panel, forecaster = forecast(args)
    if args.out is None:
        frame.to_csv(sys.stdout, index=False, float_format="%.6g")
        return 0
    from rnnlab.core.report import write_json

    with common.run_directory(args.out, args.force) as tmp:
        frame.to_csv(tmp / "forecast.csv", index=False, float_format="%.6g")
        config = common.run_config(args, "predict") | {
            "model": str(args.model),
            "model_trained_by": forecaster.trained_by_,
            "data": panel.source,
            "series": len(panel),
            "horizon": forecaster.horizon_,
        }
        write_json(tmp / "config.json", config)
    if not args.quiet:
        print(
            f"forecast {forecaster.horizon_} steps for {len(panel)} series from {panel.source} "
            f"with {args.model}: {args.out / 'forecast.csv'}"
        )
    return 0
