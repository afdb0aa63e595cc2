// @ts-check
/**
 * The binary frame format (docs/API.md "Binary frames"), pure: no DOM, no fetch.
 *
 *   "NPF1" | n (uint32, little-endian) | n bytes of UTF-8 JSON (the head) | the maps part
 *
 * The head is the JSON answer, except that inside the frame each map is [offset, length]
 * into the maps part (raw quantised bytes) instead of a base64 string. Decoding gives the
 * JSON answer's shape with each map a Uint8Array view of the answer's buffer (no copy).
 */

/** The media type a client asks for (Accept) and the server answers with. */
export const FRAME_TYPE = "application/vnd.playground.frame";

const MAGIC = "NPF1";

/**
 * A binary answer → the JSON answer's shape, maps as Uint8Array.
 * @param {ArrayBuffer} buffer
 * @param {"frame" | null} frameKey  where the frame is in the answer ("frame": a step's
 *        answer, whose frame may be null), or null when the answer is the frame itself
 * @returns {Record<string, any>}
 */
export function decodeFrameAnswer(buffer, frameKey) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 8) throw new Error("binary frame: too short");
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== MAGIC) throw new Error(`binary frame: bad magic ${JSON.stringify(magic)}`);
  const n = view.getUint32(4, true);
  if (8 + n > buffer.byteLength) throw new Error("binary frame: head longer than the answer");
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, n)));
  const maps = new Uint8Array(buffer, 8 + n);
  if (frameKey === null) return withBytes(head, maps);
  if (head[frameKey]) head[frameKey] = withBytes(head[frameKey], maps);
  return head;
}

/**
 * A head's frame with each [offset, length] replaced by its bytes.
 * @param {Record<string, any>} frame
 * @param {Uint8Array} maps
 */
function withBytes(frame, maps) {
  const bytes = (/** @type {unknown} */ ref) => {
    if (!Array.isArray(ref) || ref.length !== 2) throw new Error("binary frame: a map is not [offset, length]");
    const [offset, length] = ref;
    if (!(offset >= 0 && length >= 0 && offset + length <= maps.length)) throw new Error("binary frame: a map outside the maps part");
    return maps.subarray(offset, offset + length);
  };
  const each = (/** @type {unknown[] | null} */ list) => (list ? list.map(bytes) : list);
  const out = { ...frame };
  if (frame.output !== "") out.output = bytes(frame.output); // "": class probabilities instead
  out.classes = each(frame.classes);
  out.features = each(frame.features);
  out.neurons = frame.neurons ? frame.neurons.map(each) : frame.neurons;
  if (frame.neuron) out.neuron = { ...frame.neuron, grid: bytes(frame.neuron.grid) };
  return out;
}
