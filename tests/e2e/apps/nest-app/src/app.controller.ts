import { Controller, Get } from '@nestjs/common';

@Controller()
export class AppController {
  @Get()
  hello(): string {
    return 'hello from nest-app\n';
  }

  @Get('dev')
  dev(): { present: boolean } {
    try {
      require.resolve('typescript');
      return { present: true };
    } catch {
      return { present: false };
    }
  }
}
