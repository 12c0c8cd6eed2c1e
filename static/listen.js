/* Microphone capture for the coach page: one spoken command in, one 16 kHz WAV out.
 *
 * Layers, pure first: a resampler (any rate to 16 kHz mono), an energy-based voice-activity
 * detector over 20 ms frames, a segmenter that cuts one utterance out of the stream, a WAV
 * encoder; then the only part that touches devices, `createListener`, which opens the
 * microphone through an AudioWorklet (static/recorder-worklet.js) or, where there is none, a
 * ScriptProcessor. Everything is exposed as window.CoachListen; app.js drives it.
 */
(function () {
  "use strict";

  const TARGET_RATE = 16000; // what the server's recogniser expects
  const FRAME_MS = 20;
  const FRAME_SAMPLES = (TARGET_RATE * FRAME_MS) / 1000;
  // Windowed-sinc low-pass taps on each side of the centre: enough to keep 8–24 kHz from folding
  // into the speech band at 48 kHz, cheap enough to run per sample on the page.
  const LOW_PASS_HALF_TAPS = 16;
  // Cut-off as a fraction of the output Nyquist frequency: leaves the filter room to roll off.
  const LOW_PASS_FRACTION = 0.9;

  const VAD = Object.freeze({
    frameMs: FRAME_MS,
    /** Speech starts this far above the noise floor (×3.2 in amplitude is about +10 dB)… */
    startRatio: 3.2,
    /** …and counts as silence only below this, so soft word endings stay in (hysteresis). */
    keepRatio: 2,
    /** Nothing quieter than this is speech, however quiet the room (about −42 dBFS). */
    minSpeechRms: 0.008,
    /** Loud frames in a row before speech starts: a click or a tap on the mat is shorter. */
    onsetFrames: 3,
    /** Silence that ends an utterance: longer than the pauses between the words of a command. */
    endSilenceMs: 700,
    /** Give up when nobody has started speaking for this long. */
    noSpeechMs: 6000,
    /** Longest utterance: no command is this long. With the pre-roll the upload stays under
     * the server's limit of 15 seconds (longer recordings are refused, not cut). */
    maxUtteranceMs: 14500,
    /** From the first to the last loud frame, anything shorter is a knock, not a word. */
    minVoicedMs: 200,
    /** The first frames only measure the room: the floor starts at their quietest. */
    calibrationMs: 100,
    /** The floor follows quieter sound quickly and louder sound slowly (per-frame weights),
     * so a burst of speech barely raises it while a fan switched off lowers it at once. */
    noiseFall: 0.5,
    noiseRise: 0.02,
  });
  /** Audio kept from before speech was detected, so the first consonant is not clipped. */
  const PRE_ROLL_MS = 300;
  /** Silence kept after the last loud frame: the recogniser likes a little, not 700 ms. */
  const TAIL_MS = 250;

  /* ---------- resampling ---------- */

  function lowPassTaps(cutoff, half) {
    // cutoff in cycles per input sample; Hann-windowed sinc, normalised to unity gain.
    const taps = new Float32Array(2 * half + 1);
    let sum = 0;
    for (let k = -half; k <= half; k += 1) {
      const x = 2 * cutoff * k;
      const sinc = k === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const hann = 0.5 + 0.5 * Math.cos((Math.PI * k) / (half + 1));
      taps[k + half] = 2 * cutoff * sinc * hann;
      sum += taps[k + half];
    }
    for (let i = 0; i < taps.length; i += 1) taps[i] /= sum;
    return taps;
  }

  /**
   * Streaming resampler to `toRate`: low-pass at the input rate when going down, then linear
   * interpolation at each output instant. push() takes any chunk size and returns what is ready.
   */
  function createResampler(fromRate, toRate) {
    const ratio = fromRate / toRate;
    const half = ratio > 1 ? LOW_PASS_HALF_TAPS : 0;
    const taps = ratio > 1 ? lowPassTaps((LOW_PASS_FRACTION * 0.5) / ratio, half) : new Float32Array([1]);
    let buffer = new Float32Array(0);
    let bufferStart = 0; // index of buffer[0] in the whole input stream
    let produced = 0;

    function filtered(index) {
      let sum = 0;
      for (let k = 0; k < taps.length; k += 1) {
        const at = index - half + k - bufferStart;
        if (at >= 0) sum += taps[k] * buffer[at]; // before the stream began: silence
      }
      return sum;
    }

    return {
      push(chunk) {
        const joined = new Float32Array(buffer.length + chunk.length);
        joined.set(buffer);
        joined.set(chunk, buffer.length);
        buffer = joined;
        const out = [];
        for (;;) {
          const position = produced * ratio;
          const index = Math.floor(position);
          if (index + 1 + half >= bufferStart + buffer.length) break;
          const a = filtered(index);
          out.push(a + (filtered(index + 1) - a) * (position - index));
          produced += 1;
        }
        const keepFrom = Math.max(bufferStart, Math.floor(produced * ratio) - half);
        buffer = buffer.slice(keepFrom - bufferStart);
        bufferStart = keepFrom;
        return Float32Array.from(out);
      },
    };
  }

  /* ---------- voice-activity detection ---------- */

  function rms(samples) {
    let sum = 0;
    for (let i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
    return samples.length > 0 ? Math.sqrt(sum / samples.length) : 0;
  }

  /**
   * Energy-based voice-activity detector: push() one frame's RMS, get what happened.
   * "quiet" (waiting), "start" (speech began onsetFrames ago), "speech", "end" (an utterance is
   * complete), "discard" (too short to be speech: waiting again), "timeout" (no speech for
   * noSpeechMs), "cap" (utterance reached maxUtteranceMs). reset() keeps the noise floor.
   */
  function createVad(options) {
    const o = Object.assign({}, VAD, options);
    const frames = (ms) => Math.max(1, Math.round(ms / o.frameMs));
    let noise = Infinity;
    let calibrating = frames(o.calibrationMs);
    let phase;
    let waited;
    let loud;
    let length;
    let lastVoiced;

    function reset() {
      phase = "waiting";
      waited = 0;
      loud = 0;
      length = 0;
      lastVoiced = 0;
    }

    function threshold(ratio) {
      return Math.max(o.minSpeechRms, noise * ratio);
    }

    function waiting(level) {
      waited += 1;
      if (calibrating > 0) {
        calibrating -= 1;
        noise = Math.min(noise, level);
      } else if (level >= threshold(o.startRatio)) {
        loud += 1;
        if (loud >= o.onsetFrames) {
          phase = "speech";
          length = loud;
          lastVoiced = loud;
          loud = 0;
          return "start";
        }
      } else {
        loud = 0;
        noise += (level - noise) * (level < noise ? o.noiseFall : o.noiseRise);
      }
      return waited >= frames(o.noSpeechMs) ? "timeout" : "quiet";
    }

    function speaking(level) {
      length += 1;
      if (level >= threshold(o.keepRatio)) lastVoiced = length;
      if (length >= frames(o.maxUtteranceMs)) return "cap";
      if (length - lastVoiced < frames(o.endSilenceMs)) return "speech";
      if (lastVoiced >= frames(o.minVoicedMs)) return "end";
      waited += length;
      length = 0;
      phase = "waiting";
      return waited >= frames(o.noSpeechMs) ? "timeout" : "discard";
    }

    reset();
    return {
      reset,
      push(level) {
        return phase === "waiting" ? waiting(level) : speaking(level);
      },
      /** Frames from the first onset frame to the last loud one, in the current utterance. */
      get voicedFrames() {
        return lastVoiced;
      },
      get noiseFloor() {
        return noise;
      },
    };
  }

  /* ---------- segmentation: 16 kHz samples in, one utterance out ---------- */

  function joinFrames(list) {
    const out = new Float32Array(list.reduce((n, frame) => n + frame.length, 0));
    let at = 0;
    list.forEach((frame) => {
      out.set(frame, at);
      at += frame.length;
    });
    return out;
  }

  /**
   * Cuts 20 ms frames of 16 kHz audio into one utterance with the VAD. Calls onEvent with
   * {type: "level", rms}, {type: "start"}, {type: "utterance", samples, capped},
   * {type: "discard"} or {type: "nothing"}; after "utterance" or "nothing" it stays idle until
   * reset(). finish() ends the utterance now ("utterance" if speech had started, else nothing).
   */
  function createSegmenter(onEvent, options) {
    const vad = createVad(options);
    const onsetFrames = Object.assign({}, VAD, options).onsetFrames;
    const preRollFrames = Math.round(PRE_ROLL_MS / FRAME_MS);
    const ringSize = preRollFrames + onsetFrames; // the onset frames are in the ring at "start"
    const tailFrames = Math.round(TAIL_MS / FRAME_MS);
    let pending = new Float32Array(0);
    let ring = [];
    let utterance = null; // pre-roll and onset frames, then every frame while speech goes on
    let lead = 0; // frames of the utterance before its first onset frame
    let done = false;

    function emitUtterance(capped) {
      const keep = lead + vad.voicedFrames + tailFrames;
      const samples = joinFrames(utterance.slice(0, keep));
      utterance = null;
      done = true;
      onEvent({ type: "utterance", samples: samples, capped: capped });
    }

    function onFrame(frame) {
      const level = rms(frame);
      onEvent({ type: "level", rms: level });
      if (!utterance) {
        ring.push(frame);
        if (ring.length > ringSize) ring.shift();
      } else {
        utterance.push(frame);
      }
      const event = vad.push(level);
      if (event === "start") {
        lead = ring.length - onsetFrames;
        utterance = ring;
        ring = [];
        onEvent({ type: "start" });
      } else if (event === "end" || event === "cap") {
        emitUtterance(event === "cap");
      } else if (event === "discard") {
        ring = utterance.slice(-ringSize);
        utterance = null;
        onEvent({ type: "discard" });
      } else if (event === "timeout") {
        done = true;
        onEvent({ type: "nothing" });
      }
    }

    return {
      push(samples) {
        if (done) return;
        const joined = new Float32Array(pending.length + samples.length);
        joined.set(pending);
        joined.set(samples, pending.length);
        let at = 0;
        while (!done && at + FRAME_SAMPLES <= joined.length) {
          onFrame(joined.subarray(at, at + FRAME_SAMPLES));
          at += FRAME_SAMPLES;
        }
        pending = done ? new Float32Array(0) : joined.slice(at);
      },
      /** Start again: forget any partial utterance, keep the noise floor. */
      reset() {
        vad.reset();
        pending = new Float32Array(0);
        ring = [];
        utterance = null;
        done = false;
      },
      /** The person pressed the button again: send what was said, or nothing. */
      finish() {
        if (done) return;
        if (utterance) {
          emitUtterance(false);
        } else {
          done = true;
          onEvent({ type: "nothing" });
        }
      },
      get speaking() {
        return utterance !== null;
      },
    };
  }

  /* ---------- WAV ---------- */

  /** 16-bit PCM mono WAV bytes for float samples in [-1, 1]. */
  function encodeWav(samples, sampleRate) {
    const buffer = new ArrayBuffer(44 + samples.length * 2);
    const view = new DataView(buffer);
    const ascii = (offset, text) => {
      for (let i = 0; i < text.length; i += 1) view.setUint8(offset + i, text.charCodeAt(i));
    };
    ascii(0, "RIFF");
    view.setUint32(4, 36 + samples.length * 2, true);
    ascii(8, "WAVE");
    ascii(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, sampleRate, true);
    view.setUint32(28, sampleRate * 2, true); // bytes per second
    view.setUint16(32, 2, true); // bytes per frame
    view.setUint16(34, 16, true); // bits per sample
    ascii(36, "data");
    view.setUint32(40, samples.length * 2, true);
    for (let i = 0; i < samples.length; i += 1) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return buffer;
  }
  /* ---------- the microphone: the only part that touches a device ---------- */

  /** Why the microphone could not be used: "denied", "missing", "busy", "unsupported",
   * "blocked" (the browser wants a tap first) or "failed". */
  class MicError extends Error {
    constructor(reason, cause) {
      super(cause && cause.message ? reason + ": " + cause.message : reason);
      this.name = "MicError";
      this.reason = reason;
    }
  }

  const ERROR_REASONS = Object.freeze({
    NotAllowedError: "denied",
    PermissionDeniedError: "denied",
    SecurityError: "denied",
    NotFoundError: "missing",
    DevicesNotFoundError: "missing",
    OverconstrainedError: "missing",
    NotReadableError: "busy",
    TrackStartError: "busy",
    AbortError: "busy",
  });

  function micError(err) {
    if (err instanceof MicError) return err;
    return new MicError(ERROR_REASONS[err && err.name] || "failed", err);
  }

  // Echo cancellation is a second guard (the page never listens while it speaks). Noise
  // suppression and gain control are off: the server scales and denoises each recording itself,
  // and both change the sounds its recogniser scores. Noise suppression smears consonants
  // ("next step" with it came back empty in 3 of 3 runs, right in 3 of 3 without it). Gain
  // control compresses a word's loudness (the soft "n" of "next" raised 15 dB, its vowel 4 dB,
  // the peaks limited): a clean "next step" played into Chromium's fake microphone then fell
  // to the recogniser's confidence cut-off of the time (3 of 21 recordings came back empty),
  // and stayed well above it without gain control (90 of 90 understood).
  const CONSTRAINTS = Object.freeze({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
    video: false,
  });
  // Without a tap on the page since it loaded, Chromium leaves an AudioContext suspended and
  // resume() pending; after this long, say so instead of waiting silently.
  const RESUME_WAIT_MS = 1500;
  const SCRIPT_PROCESSOR_FRAMES = 4096;

  function resumed(context) {
    if (context.state === "running") return Promise.resolve();
    const wait = new Promise((resolve) => { window.setTimeout(resolve, RESUME_WAIT_MS); });
    return Promise.race([context.resume(), wait]).then(() => {
      if (context.state !== "running") throw new MicError("blocked");
    });
  }

  /**
   * The microphone, opened on demand. open() asks for it (rejects with a MicError); listen()
   * starts cutting one utterance out of it; pause() drops what was heard and stops listening
   * (the stream stays open); finish() ends the utterance now; close() releases the device.
   * onEvent gets the segmenter's "level", "start", "discard" and "nothing" events, then
   * {type: "utterance", wav: ArrayBuffer, seconds, capped}, or {type: "lost"} if the device goes.
   */
  function createListener(options) {
    const workletUrl = options.workletUrl;
    const onEvent = options.onEvent;
    let context = null;
    let worklet = null; // addModule() promise: once per context
    let workletFailed = false;
    let mic = null;
    let opening = null;
    let resampler = null;
    let segmenter = null; // one per opened stream: each measures its own noise floor
    let listening = false;

    function onSegment(event) {
      if (event.type === "utterance" || event.type === "nothing") listening = false;
      if (event.type !== "utterance") {
        onEvent(event);
        return;
      }
      onEvent({
        type: "utterance",
        wav: encodeWav(event.samples, TARGET_RATE),
        seconds: event.samples.length / TARGET_RATE,
        capped: event.capped,
      });
    }

    function onChunk(chunk) {
      if (listening && resampler) segmenter.push(resampler.push(chunk));
    }

    function audioContext() {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) throw new MicError("unsupported");
      context = context || new Context();
      return context;
    }

    async function workletNode(ctx) {
      worklet = worklet || ctx.audioWorklet.addModule(workletUrl);
      await worklet;
      const node = new AudioWorkletNode(ctx, "coach-recorder", { outputChannelCount: [1] });
      node.port.onmessage = (event) => onChunk(event.data);
      return node;
    }

    async function captureNode(ctx) {
      if (!workletFailed && workletUrl && ctx.audioWorklet && typeof AudioWorkletNode === "function") {
        try {
          return await workletNode(ctx);
        } catch (_err) {
          workletFailed = true; // an old browser or a blocked module: use the fallback below
        }
      }
      const node = ctx.createScriptProcessor(SCRIPT_PROCESSOR_FRAMES, 1, 1);
      node.onaudioprocess = (event) => onChunk(new Float32Array(event.inputBuffer.getChannelData(0)));
      return node;
    }

    // Capture nodes only run when connected to the output; a muted gain keeps them silent.
    async function connect(ctx, stream) {
      await resumed(ctx);
      const node = await captureNode(ctx);
      const source = ctx.createMediaStreamSource(stream);
      const sink = ctx.createGain();
      sink.gain.value = 0;
      source.connect(node);
      node.connect(sink);
      sink.connect(ctx.destination);
      return { stream: stream, source: source, node: node, sink: sink };
    }

    async function openNow(listener) {
      const media = navigator.mediaDevices;
      if (!media || typeof media.getUserMedia !== "function") throw new MicError("unsupported");
      const ctx = audioContext();
      let stream;
      try {
        stream = await media.getUserMedia(CONSTRAINTS);
      } catch (err) {
        throw micError(err);
      }
      try {
        mic = await connect(ctx, stream);
        segmenter = createSegmenter(onSegment, options.vad);
      } catch (err) {
        stream.getTracks().forEach((track) => track.stop());
        throw micError(err);
      }
      stream.getAudioTracks().forEach((track) => track.addEventListener("ended", () => {
        if (mic && mic.stream === stream) {
          listener.close();
          onEvent({ type: "lost" });
        }
      }));
    }

    return {
      /** Ask for the microphone (once; later calls share the first). */
      open() {
        if (mic) return Promise.resolve();
        opening = opening || openNow(this).finally(() => { opening = null; });
        return opening;
      },
      listen() {
        if (!mic) return false;
        resampler = createResampler(context.sampleRate, TARGET_RATE);
        segmenter.reset();
        listening = true;
        return true;
      },
      pause() {
        listening = false;
        if (segmenter) segmenter.reset();
      },
      finish() {
        if (listening) segmenter.finish();
      },
      close() {
        this.pause();
        if (!mic) return;
        const m = mic;
        mic = null;
        resampler = null;
        m.stream.getTracks().forEach((track) => track.stop());
        m.source.disconnect();
        m.node.disconnect();
        m.sink.disconnect();
        if (m.node.port) m.node.port.postMessage("stop");
        if (context && context.state === "running") context.suspend().catch(() => {});
      },
      get isOpen() {
        return mic !== null;
      },
      get isListening() {
        return listening;
      },
      /** True once speech has started in the current utterance. */
      get hearing() {
        return listening && segmenter !== null && segmenter.speaking;
      },
    };
  }

  window.CoachListen = Object.freeze({
    TARGET_RATE: TARGET_RATE,
    FRAME_MS: FRAME_MS,
    VAD: VAD,
    MicError: MicError,
    createResampler: createResampler,
    createVad: createVad,
    createSegmenter: createSegmenter,
    encodeWav: encodeWav,
    rms: rms,
    createListener: createListener,
  });
})();
