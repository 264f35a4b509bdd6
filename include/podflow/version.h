/*
 * version: the release both programs report with --version.
 */
#ifndef PODFLOW_VERSION_H
#define PODFLOW_VERSION_H

#ifndef PODFLOW_VERSION
#define PODFLOW_VERSION "0.1.0"
#endif

#endif
