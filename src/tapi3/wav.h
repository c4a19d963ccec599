/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * WAV (RIFF) files of 16-bit PCM mono, as the TAPI 3 layer's file
 * terminals play and record them (terminal.c). Reading a file is the
 * first code to see its bytes, so it is here alone, with the fuzz target
 * fuzz/wav.c.
 */
#ifndef TAPIX_TAPI3_WAV_H
#define TAPIX_TAPI3_WAV_H

#include <stdint.h>

#define WAV_HEADER 44u /* the header wav_header writes */

/**
 * Reads the header of the WAV file open on @fd (at any position; read
 * from its start): a "RIFF" "WAVE" file whose "fmt " chunk, before the
 * "data" chunk, says PCM (1), one channel, 16 bits, 8000 or 16000 Hz;
 * other chunks are skipped (padded to even sizes). Returns 0 with @fd
 * positioned at the samples, *@rate and *@bytes set: the data chunk's
 * size, cut to what the file holds after it (a streamed file's size may
 * be unset) and to an even number. Returns -EINVAL for anything else (a
 * short or broken file, another format, a chunk past the end), with
 * nothing written; @fd's position is then undefined.
 */
int wav_read(int fd, uint32_t *rate, uint64_t *bytes);

/** Writes the 44-byte header of a PCM mono 16-bit file of @bytes at
 * @rate into @h. */
void wav_header(uint8_t *h, uint32_t rate, uint32_t bytes);

#endif
