# Sourced by tools/homework.sh and tools/homework_extra.sh: the data, weights, surrogates and victims of one
# homework dataset ($ds: cifar100 or cifar10), and the output folder.
out=runs/homework/$ds
if [ "$ds" = cifar100 ]; then
  data=../shared/data/cifar-100_eval; wd=../shared/weights/cifar100
  surrogates=(-s cifar100_resnet20 -s cifar100_resnet56)
  victims=(-v ace_resnet32_cifar100 -v cifar100_resnet20 -v cifar100_resnet56)
elif [ "$ds" = cifar10 ]; then
  data=../shared/data/cifar-10_eval; wd=../shared/weights/cifar10
  surrogates=(-s akamaster_resnet20 ${EXTRA_SURROGATES:-})
  victims=(-v akamaster_resnet32 -v akamaster_resnet20 ${EXTRA_VICTIMS:-})
else
  echo "homework: unknown dataset '$ds' (cifar100 or cifar10)" >&2; exit 2
fi
