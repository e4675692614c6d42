# Makefile for cocoon (PGXS).  PG_CONFIG can be overridden:
#   make PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
EXTENSION = cocoon
MODULE_big = cocoon
CODEC_SRCS = $(sort $(wildcard src/codec/*.c))
OBJS = src/cocoon.o src/storage.o src/meta.o src/write.o src/read.o \
       src/tableam.o src/scan.o src/agg.o src/ops.o src/bloom.o src/vacuum.o \
       $(CODEC_SRCS:.c=.o)
DATA = src/sql/cocoon--0.1.0.sql src/sql/cocoon--0.1.0--0.2.0.sql
PGFILEDESC = "cocoon - columnar table access method for log data"

PG_CPPFLAGS = -I$(srcdir)/src -DCOCOON_SERVER
SHLIB_LINK = -lzstd -llz4

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=cocoon
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=cocoon

TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

EXTRA_CLEAN = test/codec/test_codecs results regression.diffs regression.out tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(OBJS): src/cocoon.h src/cocoon_format.h src/codec/codec.h
