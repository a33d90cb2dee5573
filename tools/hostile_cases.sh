#!/usr/bin/env bash
# Issue 15's hostile-input cases, run with the advkit jar given as $1 (e.g. an old build to compare): one line per
# case with the exit code and the first line of stderr. Needs ../shared and, for the NaN case, Debian's python3-torch.
#   tools/hostile_cases.sh target/advkit.jar
J=$(realpath "$1"); S=$(realpath "$(dirname "$0")/../../shared"); W=$S/weights/cifar100
cd "$(mktemp -d)"; echo "working in $PWD" >&2
A() { java -jar $J "$@" > out.txt 2> err.txt; rc=$?; echo "rc=$rc | $(head -c 220 err.txt | head -1)"; }
rm -rf w && mkdir -p w/in && for i in 0 1; do cp $S/data/cifar-100_eval/${i}_0.png w/in/; done
md5=$(md5sum w/in/0_0.png | cut -c1-8)
ln -s $PWD/w/in w/link
echo -n "1 link+overwrite: "; A attack -q --data w/in --out w/link -s cifar100_resnet20 --steps 2 --weights-dir $W --overwrite; echo "   input 0_0.png md5 before $md5 after $(md5sum w/in/0_0.png | cut -c1-8); files: $(ls w/in | tr '\n' ' ')"
S=$S /usr/bin/python3 - <<'PY'
import os, torch
sd = torch.load(os.environ['S'] + '/weights/cifar100/cifar100_resnet20-23dac2f1.pt')
sd['fc.weight'][0, 17] = float('nan')
torch.save(sd, 'w/nan.pt')
PY
echo -n "2 NaN weights eval: "; A eval -q --data w/in --model cifar100_resnet20=w/nan.pt; echo "   stdout: $(tail -1 out.txt)"
mkdir -p w/l150 && cp w/in/0_0.png w/l150/150_0.png
echo -n "3 label 150 eval: "; A eval -q --data w/l150 --model cifar100_resnet20 --weights-dir $W; echo "   stdout: $(tail -1 out.txt)"
mkdir -p w/c100 && for i in 0 11 12; do cp $S/data/cifar-100_eval/${i}_0.png w/c100/; done
echo -n "4 cifar100 images, cifar10 model attack: "; A attack -q --data w/c100 --out w/o4 -s akamaster_resnet20 --weights-dir $S/weights/cifar10
echo -n "5 eps 300: "; A attack -q --data w/in --out w/o5 -s cifar100_resnet20 --steps 2 --weights-dir $W --eps 300; echo "   $(grep -o '"max_linf": [0-9]*' w/o5/attack.json 2>/dev/null)"
echo -n "6a fusion max, one surrogate: "; A attack -q --data w/in --out w/o6 -s cifar100_resnet20 --steps 2 --weights-dir $W --fusion max
echo -n "6b model-weights, one surrogate: "; A attack -q --data w/in --out w/o6b -s cifar100_resnet20 --steps 2 --weights-dir $W --model-weights 3
mkdir -p w/bad && cp w/in/* w/bad/ && printf '\x89PNG' > w/bad/1_0.png
echo -n "7 bad image: "; A attack -q --data w/bad --out w/o7 -s cifar100_resnet20 --steps 2 --weights-dir $W; echo "   left behind: $(ls -A w/o7 2>/dev/null | tr '\n' ' ') $(grep -o '"status": "[a-z]*"' w/o7/attack.json 2>/dev/null)"
A attack -q --data w/in --out w/adv -s cifar100_resnet20 --steps 2 --weights-dir $W > /dev/null
echo -n "8 transfer --out attack folder: "; A transfer -q --clean w/in --adv w/adv -v cifar100_resnet20 --weights-dir $W --out w/adv; echo "   attack folder now: $(ls w/adv | tr '\n' ' ')"
echo -n "   eval on it afterwards: "; A eval -q --data w/adv --model cifar100_resnet20 --weights-dir $W
rm -f w/adv/transfer.*
echo -n "9 audit --out attack folder: "; A audit -q --data w/in -m cifar100_resnet20 --weights-dir $W --out w/adv --pgd-steps 1 --apgd-iters 2 --sweep 8 --random-draws 1; echo "   attack folder now: $(ls w/adv | tr '\n' ' ')"
echo -n "10 eps -1: "; A attack -q --data w/in --out w/o10 -s cifar100_resnet20 --weights-dir $W --eps -1
echo -n "11 eps 0: "; A attack -q --data w/in --out w/o11 -s cifar100_resnet20 --weights-dir $W --eps 0
echo -n "12a models -q: "; A models -q --filter cifar100_resnet2
echo -n "12b report -q: "; A report -q w/adv --out w/rep
head -c 700000 $S/weights/cifar10/resnet20-12fca82f.th > w/cut.th
echo -n "13 truncated legacy checkpoint: "; A eval -q --data w/in --model akamaster_resnet20=w/cut.th
echo -n "14 train default name: "; grep -o 'default [A-Z_a-z]*_cifar[A-Z]*_advkit\|default: the --out[^"]*' <(java -jar $J train --help) | head -1
