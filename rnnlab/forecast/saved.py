"""The saved forecaster: a model folder (core/modelfile.py) of kind "forecaster".

    model.safetensors   the networks: global member k's tensors as "m{k}.{name}", local
                        series i's as "s{i}.{name}"
    model.json          strategy, horizon, the reading schema, the intervals' half-widths (in
                        series scales, per step), who trained it, and the networks' configs
                        ("global": one GlobalForecaster; "local": one Forecaster per series id)

The reading schema says how the training data was read (the id, date and value columns, the
frequency and season, the calendar features and future columns), so that new data is read the
same way. `rnnlab forecast --save`, `rnnlab demo --save` and PanelForecaster.save write it;
`rnnlab predict`, `rnnlab export` and PanelForecaster.load read it.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.errors import ParametersError, RnnlabError
from rnnlab.forecast.options import names_of

KIND = "forecaster"  # modelfile kind
SAVED_BY = "'rnnlab forecast ... --save DIR'"


def save_forecaster(folder: Path, forecaster, trained_by: str) -> None:
    """A fitted (or loaded) PanelForecaster as a model folder."""
    from rnnlab.forecast.pipeline import LocalForecasters

    f = forecaster
    if isinstance(f.final_, LocalForecasters):
        tensors, networks = local_state(list(f.final_.by_id.values()), list(f.final_.by_id))
    else:
        tensors, meta = f.final_.state()
        networks = {"global": meta}
    future_cols = ",".join(names_of(f.future_cols)) or None
    schema = f.schema_ | {"calendar": bool(f.calendar), "future_cols": future_cols}
    save_model(folder, tensors, networks, f.strategy, f.horizon_, schema, f.halfwidths_, trained_by)


def local_state(forecasters: list, ids) -> tuple[dict, dict]:
    """Tensors and metadata of per-series Forecasters, series i's tensors as "s{i}.{name}"."""
    states = [f.state() for f in forecasters]
    tensors = {f"s{i}.{name}": v for i, (t, _) in enumerate(states) for name, v in t.items()}
    return tensors, {"local": [m | {"id": str(ids[i])} for i, (_, m) in enumerate(states)]}


def reading_schema(panel, id_col: str | None, date_col: str | None, value_col: str | None) -> dict:
    """How the training data was read, for new data to be read the same way."""
    builtin = panel.source.startswith("builtin:")
    return {
        "source": panel.source,
        "id_col": id_col,
        "date_col": date_col,
        "value_col": value_col,
        # a built-in dataset by name (the default one too: its source is "builtin:NAME")
        "data": panel.source.removeprefix("builtin:") if builtin else None,
        "freq": panel.freq,
        "season": panel.season,
        "series": [str(i) for i in panel.ids[:1000]],
    }


def save_model(folder, tensors, networks, strategy, horizon, schema, halfwidths, trained_by):
    from rnnlab.core import modelfile

    meta = {
        "strategy": strategy,
        "horizon": horizon,
        "schema": schema,
        "intervals": {str(k): [float(x) for x in v] for k, v in halfwidths.items()},
        "trained_by": trained_by,
        **networks,
    }
    modelfile.save(folder, tensors, KIND, meta)


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
        from rnnlab.forecast.pipeline import LocalForecasters

        by_id = {
            s["id"]: Forecaster.from_state(tensors, s, folder, prefix=f"s{i}.")
            for i, s in enumerate(meta["local"])
        }
        return LocalForecasters(by_id, int(meta["horizon"])), meta
    except (KeyError, TypeError, ValueError) as err:
        raise RnnlabError(
            f"{folder}: {modelfile.META} does not describe a forecaster ({type(err).__name__}: "
            f"{str(err)[:120]}); save it again with {SAVED_BY}"
        ) from None


def saved_params(meta: dict) -> dict:
    """PanelForecaster's parameters, as far as a saved folder records them."""
    schema = meta.get("schema", {})
    params = {"strategy": meta.get("strategy"), "horizon": meta.get("horizon")}
    params |= {"calendar": bool(schema.get("calendar")), "future_cols": schema.get("future_cols")}
    if "global" in meta:
        g = meta["global"]
        seq2seq = g.get("model") == "seq2seq"
        params |= {k: g.get(k) for k in ("ensemble", "hidden", "layers", "dropout", "normalize")}
        params |= {
            "model": g.get("cell") if seq2seq else g.get("model"),
            "lags": g.get("input_size"),
        }
        params |= {k: v for k, v in (g.get("train") or {}).items() if k in ("epochs", "lr", "loss")}
        return params | {"seed": g.get("seed", 0)}
    first = (meta.get("local") or [{}])[0]
    config = first.get("config", {})
    hidden = config.get("hidden")
    params |= {
        k: config[k] for k in ("model", "lags", "layout", "layers", "dropout") if k in config
    }
    params |= {k: config[k] for k in ("scaler", "transform") if k in config}
    params["hidden"] = hidden[0] if isinstance(hidden, list | tuple) and hidden else hidden
    names = ("epochs", "lr", "batch_size", "patience", "min_delta", "monitor", "val_fraction")
    params |= {k: v for k, v in (config.get("train") or {}).items() if k in (*names, "loss")}
    return params | {"seed": first.get("seed", 0)}


def reading_options(schema: dict, csv, data, id_col, date_col, value_col, fill) -> dict:
    """inputs.read_input's options for new data: the saved schema, overridden by those given."""
    read = {
        "csv": csv,
        "data": data if csv is None else None,
        "id_col": id_col or schema.get("id_col") or "unique_id",
        "date_col": date_col or schema.get("date_col"),
        "value_col": value_col or schema.get("value_col"),
        "season": schema.get("season"),
        "fill": fill,
        "future_cols": names_of(schema.get("future_cols")),
    }
    if read["csv"] is None and read["data"] is None:
        read["data"] = schema.get("data")
        if read["data"] is None:
            raise ParametersError(
                "give the new data with {csv} FILE (or {data} NAME)", ("csv", "data")
            )
    return read
