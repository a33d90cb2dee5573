# Shared by tools/publish_model.sh and tools/publish_collection.sh (sourced, not run): the size cap on what the jar
# carries and the one format of a row of src/main/resources/io/advkit/model/zoo-advkit.tsv.

zoo_tsv=src/main/resources/io/advkit/model/zoo-advkit.tsv

# Every shipped .pth goes into the jar, so each is capped: 5 MB by default (a ResNet-20 is 1.1 MB, a WRN-16-2 2.8 MB).
# A larger model is a deliberate choice, made with ADVKIT_MAX_MODEL_MB=N and said in the commit.
zoo_check_size() {
  local file=$1 cap=$(( ${ADVKIT_MAX_MODEL_MB:-5} * 1024 * 1024 )) size
  size=$(stat -c %s "$file")
  [ "$size" -le "$cap" ] || { echo "$file is $size bytes, over ${ADVKIT_MAX_MODEL_MB:-5} MB (ADVKIT_MAX_MODEL_MB raises the cap)" >&2; return 1; }
}

# zoo_remove_rows REGEX: drops the rows whose name matches ^REGEX<tab> (before a model is published again)
zoo_remove_rows() {
  [ ! -f "$zoo_tsv" ] || { grep -v "^$1	" "$zoo_tsv" > "$zoo_tsv.tmp" || true; mv "$zoo_tsv.tmp" "$zoo_tsv"; }
}

# zoo_row NAME ARCH SHA256 REFERENCE: appends the zoo row of models/NAME.pth (10 classes, pytorchcv-cifar normalization)
zoo_row() {
  local name=$1 arch=$2 sha=$3 reference=$4
  [ -f "$zoo_tsv" ] || printf '# advkit-trained models shipped in the jar (models/), written by tools/publish_model.sh\nname\tarch\tclasses\tnormalization\tparams\tsource\turl\tchecksum\tcache_file\treference\n' > "$zoo_tsv"
  printf '%s\t%s\t10\tpytorchcv-cifar\t\tadvkit\tclasspath:/io/advkit/models/%s.pth\tsha256:%s\t~/.cache/advkit/models/%s.pth\t%s\n' \
    "$name" "$arch" "$name" "$sha" "$name" "$reference" >> "$zoo_tsv"
}
