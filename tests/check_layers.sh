#!/bin/sh
# tests/check_layers.sh - psinet's layers, held to ARCHITECTURE.md.
#
#   tests/check_layers.sh LIB_DIR
#
# 1. Includes point down only. Each folder may include, of psinet's own
#    headers, only its own and those of the layers it names below, and of
#    the libraries psinet builds on only its own:
#
#      core    core                               <cblas.h>
#      codec   codec core
#      json    json codec                         <jansson.h>
#      store   store codec core                   <sqlite3.h>
#      api     api json store codec core          <jansson.h>
#      server  server core, and api/api.h alone   <microhttpd.h>
#
#    A test folder tests/LAYER may include what LAYER may, and tests/.
# 2. Every name a layer's library exports carries a prefix of that layer
#    (everything else is static): LIB_DIR/libLAYER.a is read with nm.
#
# Prints each violation with its file and line; exits 1 when there is one.
set -u
lib_dir=${1:?usage: tests/check_layers.sh LIB_DIR}
cd "$(dirname "$0")/.." || exit 2

bad=0
checked=0

# uses LAYER: the project folders LAYER may include from.
uses() {
    case $1 in
    core) echo "core" ;;
    codec) echo "codec core" ;;
    json) echo "json codec" ;;
    store) echo "store codec core" ;;
    api) echo "api json store codec core" ;;
    server) echo "server core" ;;
    esac
}

# system LAYER: the libraries' headers LAYER may include.
system() {
    case $1 in
    core) echo "cblas.h" ;;
    json | api) echo "jansson.h" ;;
    store) echo "sqlite3.h" ;;
    server) echo "microhttpd.h" ;;
    *) echo "" ;;
    esac
}

# check_file FILE LAYER EXTRA: the includes of FILE against LAYER's rules;
# EXTRA is a further folder it may include from (tests, for tests).
check_file() {
    file=$1
    layer=$2
    extra=$3
    checked=$((checked + 1))
    grep -n '^[[:space:]]*#[[:space:]]*include' "$file" |
        sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*(.*)$/\1 \2/' |
        while read -r line target; do
            case $target in
            \"*)
                header=$(printf '%s' "$target" | sed -E 's/^"([^"]*)".*/\1/')
                case $header in
                */*) folder=${header%%/*} ;;
                *) folder=$(dirname "$file") ;; # beside the file
                esac
                ok=0
                for f in $(uses "$layer") $extra; do
                    [ "$folder" = "$f" ] && ok=1
                done
                [ "$layer" = server ] && [ "$header" = api/api.h ] && ok=1
                case $folder in tests/* | build) ok=1 ;; esac
                [ "$folder" = "$(dirname "$file")" ] && ok=1
                if [ $ok -eq 0 ]; then
                    echo "$file:$line: $layer may not include \"$header\""
                    echo x
                fi
                ;;
            \<*)
                header=$(printf '%s' "$target" | sed -E 's/^<([^>]*)>.*/\1/')
                case $header in
                jansson.h | sqlite3.h | microhttpd.h | cblas.h)
                    case " $(system "$layer") " in
                    *" $header "*) ;;
                    *)
                        echo "$file:$line: $layer may not include <$header>"
                        echo x
                        ;;
                    esac
                    ;;
                esac
                ;;
            esac
        done
}

report=$(mktemp)
trap 'rm -f "$report"' EXIT
for layer in core codec json store api server; do
    for file in "$layer"/*.c "$layer"/*.h; do
        [ -f "$file" ] && check_file "$file" "$layer" "" >>"$report"
    done
    for file in tests/"$layer"/*.c tests/"$layer"/*.h; do
        [ -f "$file" ] && check_file "$file" "$layer" "tests" >>"$report"
    done
done
for file in tests/slow/*.c tests/ref/*.c tests/ref/*.h; do
    [ -f "$file" ] && check_file "$file" codec "tests" >>"$report"
done
for file in tests/fuzz/*.c; do
    [ -f "$file" ] && check_file "$file" api "tests" >>"$report"
done
grep -v '^x$' "$report"
bad=$(grep -c '^x$' "$report")

# prefixes LAYER: the names LAYER's library may export (an ERE).
prefixes() {
    case $1 in
    core) echo '^(act|analogy|clayer|entropy|layer|mem|network|qgate|qstate|rng|state|stats|timing|utf8|vec)_' ;;
    codec) echo '^(base64|dtoa_shortest|f64le|rfc3339|sha256)(_|$)' ;;
    json) echo '^(pjson|arena)_' ;;
    store) echo '^store_' ;;
    api) echo '^api_' ;;
    esac
}

for layer in core codec json store api; do
    lib=$lib_dir/lib$layer.a
    if [ ! -f "$lib" ]; then
        echo "$lib: missing (build it first)"
        bad=$((bad + 1))
        continue
    fi
    names=$(nm --defined-only -g "$lib" | awk 'NF == 3 { print $3 }')
    for name in $names; do
        checked=$((checked + 1))
        if ! printf '%s\n' "$name" | grep -Eq "$(prefixes "$layer")"; then
            echo "$lib: exports $name, which lacks a $layer prefix"
            bad=$((bad + 1))
        fi
    done
done

echo "$checked checked"
if [ "$bad" -eq 0 ]; then
    echo "1 passed, 0 failed"
    exit 0
fi
echo "0 passed, 1 failed"
exit 1
