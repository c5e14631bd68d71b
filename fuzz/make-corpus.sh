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
)

rm -rf "$corpus"
for model in "${models[@]}"; do
  read -r name type data extra <<<"$model"
  for format in binary json msgpack; do
    mkdir -p "$corpus/load_$name" "$corpus/envelope" "$corpus/$format"
    artifact="$corpus/load_$name/$format.mlp"
    # shellcheck disable=SC2086 # extra holds several arguments
    "$cli" fit "$type" --data "$tmp/$data.csv" --format "$format" $extra -o "$artifact" >/dev/null
    cp "$artifact" "$corpus/envelope/$name.$format.mlp"
    # The backend targets read bare payloads.
    read -r offset size < <("$cli" inspect --json "$artifact" |
      python3 -c 'import json, sys; h = json.load(sys.stdin); print(h["payload_offset"], h["payload_size"])')
    tail -c +"$((offset + 1))" "$artifact" | head -c "$size" >"$corpus/$format/$name"
  done
done
# Container 1 (one payload checksum instead of the chunk table) is still read: its golden files.
for golden in "$root"/tests/fixtures/schema-v1/svc_iris.*.mlp; do
  cp "$golden" "$corpus/envelope/container1.$(basename "$golden")"
done
echo "make-corpus: $(find "$corpus" -type f | wc -l) seeds in $corpus"
