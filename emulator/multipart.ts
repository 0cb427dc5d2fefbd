// A small multipart/form-data reader for the files upload (POST /v1/files): its fields and its one
// file, as the official clients send them. Enough for the emulator; not a general parser.

export interface MultipartForm {
  fields: Record<string, string>;
  file?: { name: string; filename: string; content: Buffer };
}

/** Parses a body by the boundary in its content type; throws with the reason when it is not one. */
export function parseMultipart(body: Buffer, contentType: string): MultipartForm {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const form: MultipartForm = { fields: {} };
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) form.file = { name, filename, content: Buffer.from(content) };
      else form.fields[name] = content.toString('utf8');
    }
    at = next;
  }
  return form;
}
