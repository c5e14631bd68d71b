#!/usr/bin/env bash
# Writes the seed corpora in fuzz/corpus/ from real artifacts: every estimator type fitted on a
# small slice of iris (diabetes for the regressors), saved with every backend. Seeds are kept
# small (a few KB) because libFuzzer's speed falls with input size.
#
# Usage: fuzz/make-corpus.sh BUILD_DIR    (any build with the command line tool, e.g. build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cli="$1/bin/mlpersist"
corpus="$root/fuzz/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 10 rows of each iris class; the first 30 rows of diabetes.
awk -F, 'NR == 1 || (NR - 2) % 50 < 10' "$root/tests/data/iris.csv" >"$tmp/iris.csv"
head -n 31 "$root/tests/data/diabetes.csv" >"$tmp/diabetes.csv"
# Wide models: 6 rows of 260 features (three classes), so that every load target has a seed
# wider than 256 features (the width where probe sizes and loops change scale); deterministic.
awk -v features=260 'BEGIN {
  for (j = 0; j < features; ++j) printf "f%d,", j
  print "target"
  for (i = 0; i < 6; ++i) {
    for (j = 0; j < features; ++j) printf "%.1f,", ((i * 7919 + j * 104729) % 100) / 25 - 2 + (i % 3)
    print i % 3
  }
}' >"$tmp/wide.csv"

# target name, type, data, extra fit arguments
models=(
  "svc svm.SVC iris"
  "linearregression linear_model.LinearRegression diabetes"
  "ridge linear_model.Ridge diabetes"
  "logisticregression linear_model.LogisticRegression iris"
  "gaussiannb naive_bayes.GaussianNB iris"
  "standardscaler preprocessing.StandardScaler iris"
  "pca decomposition.PCA iris --param n_components=2"
  "kmeans cluster.KMeans iris --param n_clusters=3 --param n_init=1"
  "kneighborsclassifier neighbors.KNeighborsClassifier iris"
  "decisiontreeclassifier tree.DecisionTreeClassifier iris --param max_depth=3"
  "randomforestclassifier ensemble.RandomForestClassifier iris --param n_estimators=3 --param max_depth=3"
  "pipeline pipeline.Pipeline iris --step scaler=preprocessing.StandardScaler --step svc=svm.SVC"
  "decisiontreeregressor tree.DecisionTreeRegressor diabetes --param max_depth=3"
  "randomforestregressor ensemble.RandomForestRegressor diabetes --param n_estimators=3 --param max_depth=3"
  "extratreesclassifier ensemble.ExtraTreesClassifier iris --param n_estimators=3 --param max_depth=3"
  "extratreesregressor ensemble.ExtraTreesRegressor diabetes --param n_estimators=3 --param max_depth=3"
  "gradientboostingclassifier ensemble.GradientBoostingClassifier iris --param n_estimators=3 --param max_depth=2"
  "gradientboostingregressor ensemble.GradientBoostingRegressor diabetes --param n_estimators=3 --param max_depth=2 --param subsample=0.8"
  "svr svm.SVR diabetes --param C=100"
  "lasso linear_model.Lasso diabetes --param alpha=0.1"
  "elasticnet linear_model.ElasticNet diabetes --param alpha=0.01"
  "kneighborsregressor neighbors.KNeighborsRegressor diabetes --param weights=distance"
  "histgradientboostingclassifier ensemble.HistGradientBoostingClassifier iris --param max_iter=3 --param max_leaf_nodes=4 --param min_samples_leaf=3"
  "histgradientboostingregressor ensemble.HistGradientBoostingRegressor diabetes --param max_iter=3 --param max_leaf_nodes=4 --param min_samples_leaf=3"
)

payload_of() {  # artifact
  local offset size
  read -r offset size < <("$cli" inspect --json "$1" |
    python3 -c 'import json, sys; h = json.load(sys.stdin); print(h["payload_offset"], h["payload_size"])')
  tail -c +"$((offset + 1))" "$1" | head -c "$size"
}

fit() {  # type, data, format, output, extra fit arguments...
  local type=$1 data=$2 format=$3 output=$4
  shift 4
  "$cli" fit "$type" --data "$tmp/$data.csv" --format "$format" "$@" -o "$output" >/dev/null
}

# Seeds are written over their own names only: the inputs that fuzzing added beside them (the
# grown corpora, kept in the repository) stay.
mkdir -p "$corpus"
for model in "${models[@]}"; do
  read -r name type data extra <<<"$model"
  mkdir -p "$corpus/load_$name" "$corpus/envelope"
  for format in binary json msgpack; do
    mkdir -p "$corpus/$format"
    artifact="$corpus/load_$name/$format.mlp"
    # shellcheck disable=SC2086 # extra holds several arguments
    fit "$type" "$data" "$format" "$artifact" $extra
    cp "$artifact" "$corpus/envelope/$name.$format.mlp"
    # The backend targets read bare payloads.
    payload_of "$artifact" >"$corpus/$format/$name"
  done
  # One wide seed per load target, in binary (the smallest encoding of a tensor); none for the
  # envelope and backend targets, whose speed falls with input size.
  # shellcheck disable=SC2086
  fit "$type" wide binary "$corpus/load_$name/wide.binary.mlp" $extra
done
# Mixed tables (string columns, missing cells, string labels): a ColumnTransformer, a
# ColumnTransformer pipeline, and the encoders and imputer alone, on 40 rows of churn.csv.
head -n 41 "$root/tests/data/churn.csv" >"$tmp/churn.csv"
specs="$root/tests/data/specs"
for format in binary json msgpack; do
  mkdir -p "$corpus/load_columntransformer"
  "$cli" fit --spec "$specs/churn__onehot_missing_infrequent.json" --data "$tmp/churn.csv" \
    --target churn --format "$format" -o "$corpus/load_columntransformer/$format.mlp" >/dev/null
  "$cli" fit --spec "$specs/churn__logistic_regression.json" --data "$tmp/churn.csv" \
    --target churn --format "$format" -o "$corpus/load_pipeline/churn.$format.mlp" >/dev/null
  payload_of "$corpus/load_columntransformer/$format.mlp" >"$corpus/$format/columntransformer"
  cp "$corpus/load_columntransformer/$format.mlp" "$corpus/envelope/columntransformer.$format.mlp"
done
# The first 40 rows hold no quoted cell, so cut splits them right.
cut -d, -f1-4 "$tmp/churn.csv" >"$tmp/numbers.csv"
cut -d, -f5-8 "$tmp/churn.csv" >"$tmp/strings.csv"
for model in "simpleimputer impute.SimpleImputer numbers" \
  "onehotencoder preprocessing.OneHotEncoder strings" \
  "ordinalencoder preprocessing.OrdinalEncoder strings" \
  "minmaxscaler preprocessing.MinMaxScaler numbers"; do
  read -r name type data <<<"$model"
  mkdir -p "$corpus/load_$name"
  "$cli" fit "$type" --data "$tmp/$data.csv" --format binary \
    -o "$corpus/load_$name/binary.mlp" >/dev/null
done
# Container 1 (one payload checksum instead of the chunk table) is still read: its golden files.
for golden in "$root"/tests/fixtures/schema-v1/svc_iris.*.mlp; do
  cp "$golden" "$corpus/envelope/container1.$(basename "$golden")"
done
# msgpack tensors as ext type 1 (written before ABI 4, still read): the cross-arch fixture's.
payload_of "$root/tests/fixtures/cross-arch/svc.msgpack" >"$corpus/msgpack/svc_ext_type1"
echo "make-corpus: $(find "$corpus" -type f | wc -l) seeds in $corpus"
