// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "gtest/gtest.h"
