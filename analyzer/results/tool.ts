/** Which tool and version made a result: every result carries it. */
export const TOOL_VERSION = '0.1.0';

export interface Tool {
  name: 'nsys-tp';
  version: string;
}

export const TOOL: Tool = { name: 'nsys-tp', version: TOOL_VERSION };
