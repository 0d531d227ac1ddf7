// A thin Common Cartridge 1.3 of the course, for platforms that import
// cartridges instead of using Deep Linking: one LTI 1.3 link per lesson
// (launch URL /lessons/:lessonId, custom parameter `lesson`), in course order.
// The .imscc file is a zip; its few small entries are stored uncompressed.
import { crc32 } from 'node:zlib';
import type { Catalog } from '../content/catalog.ts';

const escapeXml = (value: string) => value.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);

export function cartridgeFiles(catalog: Catalog, baseUrl: string): { name: string; text: string }[] {
  const lessons = [...catalog.lessons].sort((a, b) => a.order - b.order);
  const links = lessons.map((lesson, index) => ({
    name: `lti/lesson-${index + 1}.xml`,
    text: `<?xml version="1.0" encoding="UTF-8"?>
<cartridge_basiclti_link xmlns="http://www.imsglobal.org/xsd/imslticc_v1p3" xmlns:blti="http://www.imsglobal.org/xsd/imsbasiclti_v1p0" xmlns:lticm="http://www.imsglobal.org/xsd/imslticm_v1p0" xmlns:lticp="http://www.imsglobal.org/xsd/imslticp_v1p0">
  <blti:title>${escapeXml(lesson.title)}</blti:title>
  <blti:description>${escapeXml(lesson.summary)}</blti:description>
  <blti:launch_url>${escapeXml(`${baseUrl}/lessons/${lesson.id}`)}</blti:launch_url>
  <blti:custom><lticm:property name="lesson">${escapeXml(lesson.id)}</lticm:property></blti:custom>
  <blti:vendor><lticp:code>framecheck</lticp:code><lticp:name>FrameCheck</lticp:name></blti:vendor>
</cartridge_basiclti_link>
`,
  }));
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="framecheck-course" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1" xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest">
  <metadata>
    <schema>IMS Common Cartridge</schema>
    <schemaversion>1.3.0</schemaversion>
    <lomimscc:lom><lomimscc:general><lomimscc:title><lomimscc:string>FrameCheck</lomimscc:string></lomimscc:title></lomimscc:general></lomimscc:lom>
  </metadata>
  <organizations>
    <organization identifier="course" structure="rooted-hierarchy">
      <item identifier="root">
${lessons.map((lesson, index) => `        <item identifier="item-${index + 1}" identifierref="link-${index + 1}"><title>${escapeXml(lesson.title)}</title></item>`).join('\n')}
      </item>
    </organization>
  </organizations>
  <resources>
${links.map((link, index) => `    <resource identifier="link-${index + 1}" type="imsbasiclti_xmlv1p3"><file href="${link.name}"/></resource>`).join('\n')}
  </resources>
</manifest>
`;
  return [{ name: 'imsmanifest.xml', text: manifest }, ...links];
}

/** A zip of stored (uncompressed) entries. */
export function zip(files: { name: string; text: string }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const data = Buffer.from(file.text, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time and date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt32LE(0, 12);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    parts.push(local, name, data);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
